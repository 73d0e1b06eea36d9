/**
 * Colour for the status words of `run` and `status`, only where a person reads them: the stream
 * is a terminal, NO_COLOR is unset or empty (https://no-color.org) and TERM is not `dumb`.
 * Pipes, files and logs get the plain words.
 */

/** Paints a status word (already padded) by the status it names; the identity when colour is off. */
export type Paint = (status: string, text: string) => string;

const SGR: Record<string, string> = {
  done: '32', // green
  failed: '31', // red
  interrupted: '33', // yellow
  stopped: '33',
  running: '36', // cyan
  'not-executed': '2', // dim
  skipped: '2',
  pending: '2',
};

/** Whether `stream` gets colour under `env`. */
export function wantsColour(stream: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>): boolean {
  return stream.isTTY === true && (env.NO_COLOR ?? '') === '' && env.TERM !== 'dumb';
}

/** The paint for `stream`: ANSI colour when it wants it, else none. */
export function paintFor(stream: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>> = process.env): Paint {
  if (!wantsColour(stream, env)) return (_status, text) => text;
  return (status, text) => {
    const code = SGR[status];
    return code ? `\x1b[${code}m${text}\x1b[0m` : text;
  };
}
