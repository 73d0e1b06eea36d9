/**
 * docs/checks.md stays true as check rows change: every row rendered in an example is listed there
 * (by its scenario, step slug and exact check_name), and every test it names exists.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { examples } from '../helpers/examples.js';

const DOC = join(ROOT, 'docs', 'checks.md');
const doc = readFileSync(DOC, 'utf8');

/** `'…' AS check_name` literals of a SQL file, unescaped (`''` is one quote). */
export function checkNames(sql: string): string[] {
  return [...sql.matchAll(/'((?:[^']|'')*)'\s+AS\s+check_name/g)].map((m) => (m[1] as string).replace(/''/g, "'"));
}

/** The table lines of each `## <section>` of the doc, keyed by the heading's first word. */
function sections(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current = '';
  for (const line of text.split('\n')) {
    const heading = /^## (\S+)/.exec(line);
    if (heading) current = heading[1] as string;
    else if (line.startsWith('| `')) out.set(current, [...(out.get(current) ?? []), line]);
  }
  return out;
}

/** A table line lists `slug` in its first cell and `name` in its second. */
const lists = (line: string, slug: string, name: string) => {
  const cells = line.split(' | ');
  return (cells[0] ?? '').startsWith(`| \`${slug}\``) && cells[1] === `\`${name}\``;
};

/** Every `… AS check_name` row of every .sql file of every example: scenario, step slug (`undo/` for undo steps), check_name. */
function renderedRows(): { example: string; scenario: string; slug: string; name: string }[] {
  return examples().flatMap((ex) =>
    readdirSync(ex.dir, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.sql'))
      .flatMap((file) => {
        const slug = file.replace(/(^|\/)\d+-/, '$1').replace(/\.sql$/, '');
        return checkNames(readFileSync(join(ex.dir, file), 'utf8')).map((name) => ({ example: ex.name, scenario: ex.manifest.scenario, slug, name }));
      }),
  );
}

describe('docs/checks.md', () => {
  it('reads check names as the SQL writes them', () => {
    expect(checkNames(`SELECT 'a ''b'' c' AS check_name, x UNION ALL SELECT\n  'd' AS check_name`)).toEqual(["a 'b' c", 'd']);
  });

  it('lists every check row of every example under its scenario (preflight rows under preflight)', () => {
    const bySection = sections(doc);
    const rows = renderedRows();
    expect(rows.length).toBeGreaterThan(50);
    const missing = rows
      .filter((r) => !(bySection.get(/(^|\/)preflight$/.test(r.slug) ? 'preflight' : r.scenario) ?? []).some((line) => lists(line, r.slug, r.name)))
      .map((r) => `${r.example}: ${r.slug}: ${r.name}`);
    expect([...new Set(missing)]).toEqual([]);
  });

  it('names only tests that exist', () => {
    const files = new Map([...doc.matchAll(/^\[(\w+)\]: (\S+)$/gm)].map((m) => [m[1] as string, resolve(dirname(DOC), m[2] as string)]));
    const cited = [...doc.matchAll(/\[(\w+)\] `([^`]+)`/g)].map((m) => ({ key: m[1] as string, title: m[2] as string }));
    expect(cited.length).toBeGreaterThan(50);
    const wrong = cited.filter(({ key, title }) => {
      const file = files.get(key);
      if (!file || !existsSync(file)) return true;
      const source = readFileSync(file, 'utf8');
      return ![`it('${title.replace(/'/g, "\\'")}'`, `it("${title}"`, `it(\`${title}\``].some((literal) => source.includes(literal));
    });
    expect(wrong.map((c) => `[${c.key}] ${c.title}`)).toEqual([]);
  });
});
