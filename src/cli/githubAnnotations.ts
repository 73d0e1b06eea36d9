/**
 * GitHub Actions workflow commands (`::error file=...,line=...,title=...::message`), which the
 * Actions runner turns into annotations on the pull request's changed lines. Escaping as the
 * runner reads it: in the message `%`, `\r` and `\n`; in a property also `:` and `,`.
 * https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands
 * (actions/toolkit packages/core/src/command.ts: escapeData, escapeProperty)
 */

/** The message part of a workflow command, escaped. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value of a workflow command, escaped. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** Where an annotation points; every field is optional. */
export interface AnnotationPlace {
  file?: string;
  line?: number;
  title?: string;
}

/** One `::error ...::message` line (with its newline). */
export function errorAnnotation(place: AnnotationPlace, message: string): string {
  const props = [
    place.file === undefined ? '' : `file=${escapeProperty(place.file)}`,
    place.line === undefined ? '' : `line=${place.line}`,
    place.title === undefined ? '' : `title=${escapeProperty(place.title)}`,
  ].filter(Boolean);
  return `::error${props.length > 0 ? ` ${props.join(',')}` : ''}::${escapeData(message)}\n`;
}
