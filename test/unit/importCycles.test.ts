import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const SRC = join(ROOT, 'src');

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((f) => f.isFile() && f.name.endsWith('.ts'))
    .map((f) => join(f.parentPath, f.name));
}

/**
 * The modules `file` imports from src/, by any form: `import`, `import type`, `export ... from`,
 * dynamic `import()`. TypeScript's own pre-processor reads them, so comments and strings that
 * merely look like imports do not count.
 */
function imports(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => resolve(dirname(file), name.replace(/\.js$/, '.ts')));
}

/** The cycles of a graph, one per strongly connected component (Tarjan), each as a path that returns to its start. */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (;;) {
      const w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
      if (w === v) break;
    }
    const members = new Set(component);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(pathWithin(graph, members, v));
  };
  for (const v of graph.keys()) if (!index.has(v)) connect(v);
  return found;
}

/** One cycle through `start` inside a strongly connected component (breadth-first back to start). */
function pathWithin(graph: ReadonlyMap<string, readonly string[]>, members: Set<string>, start: string): string[] {
  const from = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let at = v; at !== start; at = from.get(at)!) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!from.has(w)) {
        from.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

describe('import graph of src/', () => {
  it('finds a cycle in a graph that has one, and none in one that has none', () => {
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c', 'a']]);
    expect(cycles(new Map([['a', ['a']]]))).toEqual([['a', 'a']]);
    expect(cycles(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]]))).toEqual([]);
  });

  it('reads type-only imports and re-exports as imports', () => {
    const text = "import type { A } from './a.js';\nexport { B } from './b.js';\nexport type { C } from './c.js';\nconst d = await import('./d.js');\n// import x from './not.js'\n";
    expect(ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName)).toEqual(['./a.js', './b.js', './c.js', './d.js']);
  });

  it('has no cycle: no two modules import each other, directly or through others (type-only imports included)', () => {
    const files = sources(SRC);
    const graph = new Map(files.map((f) => [f, imports(f)] as const));
    const found = cycles(graph).map((c) => c.map((f) => relative(ROOT, f)).join(' -> '));
    expect(files.length).toBeGreaterThan(50);
    expect(found).toEqual([]);
  });
});
