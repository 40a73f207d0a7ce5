import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain ESM script (it runs with node as `pnpm docs:check`); vitest imports it as is.
import { checkDocs, extractBlocks, headingAnchors, regionOf } from './check-docs.mjs';

type Problem = { file: string; line: number; message: string };
type Report = { files: string[]; blocks: Array<{ file: string; line: number; how: string; note?: string }>; problems: Problem[] };
const check = checkDocs as (options: { root: string; markdown?: Array<{ path: string; text: string }> }) => Report;

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('the docs', () => {
  it('have no TypeScript sample that fails to compile, no stale include and no broken link', () => {
    const report = check({ root });
    expect(report.files).toContain('docs/sessions.md');
    expect(report.blocks.filter((b) => b.how === 'type-checked').length).toBeGreaterThan(0);
    const pretty = report.problems.map((p) => `${p.file}:${p.line}: ${p.message}`);
    expect(pretty).toEqual([]);
    // One TypeScript program over every sample: seconds alone, much longer on a loaded 2-core machine,
    // and it grows with the docs. A compile is not a speed claim, so it gets a generous bound.
  }, 180_000);
});

describe('the docs checker', () => {
  const md = (text: string) => [{ path: 'docs/fixture.md', text }];

  it('reports a type error at its line in the Markdown file, and passes a good block with the prelude in scope', () => {
    const report = check({
      root,
      markdown: md(
        [
          '# Fixture',
          '',
          '```ts',
          "import { createHub } from '@sessionhub/core';",
          'const h = createHub({ sessionTimeout: 60 });',
          "h.logEvent('ok');",
          "hub.setSessionAttribute('level', 3);",
          '```',
          '',
          '```ts',
          "hub.logEvent('ok');",
          "hub.logEvent(42);",
          '```',
          '',
          '```sh',
          'pnpm demo',
          '```',
        ].join('\n'),
      ),
    });
    expect(report.blocks.map((b) => [b.line, b.how])).toEqual([
      [4, 'type-checked'],
      [11, 'type-checked'],
      [16, 'not checked'],
    ]);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatchObject({ file: 'docs/fixture.md', line: 12 });
    expect(report.problems[0]!.message).toMatch(/^TS2345: Argument of type 'number'/);
  });

  it('compares an included block with the region of the example file, and requires a reason to skip', () => {
    const report = check({
      root,
      markdown: md(
        [
          '<!-- include: docs/tools/fixtures/example.ts#usage -->',
          '```ts',
          'const answer = 42;',
          '```',
          '<!-- include: docs/tools/fixtures/example.ts#usage -->',
          '```ts',
          'const answer = 41;',
          '```',
          '<!-- docs-check: skip -->',
          '```ts',
          'not typescript at all',
          '```',
          '<!-- docs-check: skip pseudo-code of the wire format -->',
          '```ts',
          'ss → ce → se',
          '```',
          'A [good link](../README.md), a [bad one](missing.md) and [a site](https://example.com).',
          '## A heading, `with` code: and (punctuation)',
          'To [it](#a-heading-with-code-and-punctuation), to [none](#a-heading), to [one elsewhere](sessions.md#nowhere-at-all) and [one that is](performance.md#memory).',
        ].join('\n'),
      ),
    });
    expect(report.blocks.map((b) => b.how)).toEqual(['included', 'included', 'skipped', 'skipped']);
    expect(report.problems.map((p) => [p.line, p.message])).toEqual([
      [7, expect.stringMatching(/^differs from docs\/tools\/fixtures\/example.ts#usage \(line 1 of the block\)/)],
      [9, expect.stringMatching(/^docs-check/)],
      [17, 'broken link: missing.md'],
      [19, 'broken link: #a-heading (no such heading)'],
      [19, 'broken link: sessions.md#nowhere-at-all (no such heading)'],
    ]);
  });

  it('makes heading anchors as GitHub does', () => {
    expect([...headingAnchors('# Title\n## `sessionhub compare` and `replay`\n```\n# not a heading\n```\n### Title\n#### Über-Größe (ä)\n')]).toEqual([
      'title',
      'sessionhub-compare-and-replay',
      'title-1',
      'über-größe-ä',
    ]);
  });

  it('extracts fenced blocks with their first code line and the directive before them', () => {
    const blocks = extractBlocks({ path: 'x.md', text: 'text\n<!-- include: a.ts -->\n\n```ts\nconst a = 1;\n```\n~~~tsx\n<b/>\n~~~\n' });
    expect(blocks).toEqual([
      { file: 'x.md', line: 5, lang: 'ts', code: 'const a = 1;', directive: '<!-- include: a.ts -->', directiveLine: 2 },
      { file: 'x.md', line: 8, lang: 'tsx', code: '<b/>', directive: null },
    ]);
    expect(regionOf('a\n  // #region r\n    b\n      c\n  // #endregion r\nd', 'r')).toBe('b\n  c');
    expect(regionOf('a\n// #region r\nb', 'r')).toBeNull();
  });
});
