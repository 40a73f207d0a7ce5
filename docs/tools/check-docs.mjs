#!/usr/bin/env node
// @ts-check
/**
 * Keeps the docs from rotting. For every Markdown file of the docs (docs/**\/*.md, the README files):
 * - every ```ts / ```tsx block is type-checked as a module against the packages' sources, with
 *   docs/tools/snippet-prelude.d.ts in scope (it declares `hub` and the React Native modules);
 * - a block preceded by `<!-- include: docs/examples/file.ts#region -->` must be exactly that region
 *   of a compiled (and tested) example file instead; `#region` may be left out for the whole file;
 * - a block preceded by `<!-- docs-check: skip <reason> -->` is not checked (the reason is required);
 * - every relative link must point to a file that exists (the generated docs/api excepted).
 *
 * CLI: `node docs/tools/check-docs.mjs` (root script `pnpm docs:check`) prints each problem as
 * `file:line: message` and exits 1 if there is any. docs/tools/check-docs.test.ts runs it in vitest.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const TS_LANGS = new Set(['ts', 'typescript', 'tsx', 'mts']);
const INCLUDE = /^<!--\s*include:\s*(\S+?)(?:#([\w-]+))?\s*-->$/;
const SKIP = /^<!--\s*docs-check:\s*skip\b\s*(.*?)\s*-->$/;
const DIRECTIVE = /^<!--\s*(include:|docs-check:)/;

/**
 * @typedef {{ path: string, text: string }} MarkdownFile  path relative to the root, '/'-separated
 * @typedef {{ file: string, line: number, lang: string, code: string, directive: string | null, directiveLine?: number }} CodeBlock
 *   line: the 1-based line of the block's first code line; directiveLine: that of the directive
 * @typedef {{ file: string, line: number, message: string }} Problem
 * @typedef {{ file: string, line: number, how: 'type-checked' | 'included' | 'skipped' | 'not checked', note?: string }} BlockReport
 * @typedef {{ files: string[], blocks: BlockReport[], problems: Problem[] }} DocsReport
 */

/** The Markdown files the checker reads, relative to the root. */
export function findMarkdown(root) {
  /** @type {string[]} */
  const found = [];
  const walk = (/** @type {string} */ dir) => {
    for (const name of readdirSync(join(root, dir)).sort()) {
      const rel = dir ? `${dir}/${name}` : name;
      if (name === 'node_modules' || name.startsWith('.') || rel === 'docs/api') continue;
      if (statSync(join(root, rel)).isDirectory()) walk(rel);
      else if (name.endsWith('.md')) found.push(rel);
    }
  };
  if (existsSync(join(root, 'docs'))) walk('docs');
  for (const file of ['README.md']) if (existsSync(join(root, file))) found.push(file);
  for (const parent of ['packages', 'examples']) {
    if (!existsSync(join(root, parent))) continue;
    for (const name of readdirSync(join(root, parent)).sort()) {
      const rel = `${parent}/${name}/README.md`;
      if (existsSync(join(root, rel))) found.push(rel);
    }
  }
  return found;
}

/**
 * The fenced code blocks of a Markdown text, with the directive comment right before each (if any).
 * @param {MarkdownFile} file
 * @returns {CodeBlock[]}
 */
export function extractBlocks(file) {
  const lines = file.text.split(/\r?\n/);
  /** @type {CodeBlock[]} */
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i] ?? '');
    if (!open) continue;
    const [, indent = '', fence = '```', lang = ''] = open;
    let j = i + 1;
    // A closing fence is the fence alone on its line (CommonMark): "``` text" does not close the block,
    // which runs on in the rendered page, so it runs on here too and fails its check.
    const close = new RegExp(`^\\s*${fence[0]}{${fence.length},}\\s*$`);
    while (j < lines.length && !close.test(lines[j] ?? '')) j++;
    let k = i - 1;
    while (k >= 0 && (lines[k] ?? '').trim() === '') k--;
    const before = k >= 0 ? (lines[k] ?? '').trim() : '';
    blocks.push({
      file: file.path,
      line: i + 2,
      lang: lang.toLowerCase(),
      code: lines.slice(i + 1, j).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l)).join('\n'),
      directive: DIRECTIVE.test(before) ? before : null,
      ...(DIRECTIVE.test(before) ? { directiveLine: k + 1 } : {}),
    });
    i = j;
  }
  return blocks;
}

/** The text of `// #region name` … `// #endregion` in a source file (the whole file without a name), dedented. */
export function regionOf(source, name) {
  const lines = source.split(/\r?\n/);
  let body = lines;
  if (name) {
    const start = lines.findIndex((l) => new RegExp(`^\\s*//\\s*#region\\s+${name}\\s*$`).test(l));
    if (start < 0) return null;
    const end = lines.findIndex((l, i) => i > start && /^\s*\/\/\s*#endregion\b/.test(l));
    if (end < 0) return null;
    body = lines.slice(start + 1, end);
  }
  body = body.filter((l) => !/^\s*\/\/\s*#(end)?region\b/.test(l));
  const indent = Math.min(...body.filter((l) => l.trim()).map((l) => /^\s*/.exec(l)?.[0].length ?? 0));
  return trimBlank(body.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join('\n'));
}

const trimBlank = (/** @type {string} */ text) => text.replace(/^(\s*\n)+/, '').replace(/\s+$/, '');

/**
 * The anchors of a Markdown text's headings, as GitHub makes them: lower case, punctuation dropped,
 * spaces to hyphens, `-1`, `-2` … after a repeated one.
 */
export function headingAnchors(text) {
  const anchors = new Set();
  let fenced = false;
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*(`{3,}|~{3,})/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = (heading[1] ?? '').toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/ /g, '-');
    let anchor = base;
    for (let n = 1; anchors.has(anchor); n++) anchor = `${base}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

/** Relative links `[text](target)` that point to no file, or to no heading of a Markdown file (`#anchor`). */
function brokenLinks(root, file, anchorsOf) {
  /** @type {Problem[]} */
  const problems = [];
  const lines = file.text.split(/\r?\n/);
  let fenced = false;
  lines.forEach((line, i) => {
    if (/^\s*(`{3,}|~{3,})/.test(line)) fenced = !fenced;
    if (fenced) return;
    for (const match of line.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = match[1] ?? '';
      if (/^[a-z]+:/i.test(target)) continue;
      const [pathPart = '', anchor] = target.split('#');
      const abs = resolve(root, dirname(file.path), decodeURIComponent(pathPart));
      const rel = relative(root, abs).split(sep).join('/');
      if (rel === 'docs/api' || rel.startsWith('docs/api/')) continue; // generated by `pnpm docs:api`
      if (pathPart && !existsSync(abs)) problems.push({ file: file.path, line: i + 1, message: `broken link: ${target}` });
      else if (anchor && (!pathPart || rel.endsWith('.md')) && !anchorsOf(pathPart ? rel : file.path).has(decodeURIComponent(anchor))) {
        problems.push({ file: file.path, line: i + 1, message: `broken link: ${target} (no such heading)` });
      }
    }
  });
  return problems;
}

/**
 * Checks the docs under `root`. `markdown` replaces the files found on disk (tests use it).
 * @param {{ root: string, markdown?: MarkdownFile[] }} options
 * @returns {DocsReport}
 */
export function checkDocs({ root, markdown }) {
  const files = markdown ?? findMarkdown(root).map((path) => ({ path, text: readFileSync(join(root, path), 'utf8') }));
  /** @type {Problem[]} */
  const problems = [];
  /** @type {BlockReport[]} */
  const reports = [];
  /** @type {{ block: CodeBlock, fileName: string }[]} */
  const toCompile = [];
  /** Anchors per Markdown file (repository-relative path): the files checked first, else read from disk. */
  const anchors = new Map();
  const anchorsOf = (/** @type {string} */ path) => {
    if (!anchors.has(path)) {
      const text = files.find((f) => f.path === path)?.text ?? readFileSync(join(root, path), 'utf8');
      anchors.set(path, headingAnchors(text));
    }
    return anchors.get(path);
  };

  for (const file of files) {
    problems.push(...brokenLinks(root, file, anchorsOf));
    for (const block of extractBlocks(file)) {
      const include = block.directive ? INCLUDE.exec(block.directive) : null;
      const skip = block.directive ? SKIP.exec(block.directive) : null;
      if (block.directive && !include && !skip) {
        problems.push({ file: block.file, line: block.directiveLine ?? block.line, message: `unknown directive ${block.directive}` });
      } else if (include) {
        const [, target = '', region] = include;
        reports.push({ file: block.file, line: block.line, how: 'included', note: `${target}${region ? `#${region}` : ''}` });
        const path = join(root, target);
        if (!existsSync(path)) {
          problems.push({ file: block.file, line: block.line, message: `include: ${target} does not exist` });
          continue;
        }
        const expected = regionOf(readFileSync(path, 'utf8'), region);
        if (expected === null) {
          problems.push({ file: block.file, line: block.line, message: `include: ${target} has no "// #region ${region}" … "// #endregion"` });
          continue;
        }
        const actual = trimBlank(block.code);
        if (actual !== expected) {
          const a = actual.split('\n');
          const e = expected.split('\n');
          let n = 0;
          while (n < a.length && a[n] === e[n]) n++;
          problems.push({
            file: block.file,
            line: block.line + n,
            message: `differs from ${target}${region ? `#${region}` : ''} (line ${n + 1} of the block): expected ${JSON.stringify(e[n] ?? '<end>')}, found ${JSON.stringify(a[n] ?? '<end>')}`,
          });
        }
      } else if (skip) {
        const reason = skip[1] ?? '';
        reports.push({ file: block.file, line: block.line, how: 'skipped', note: reason });
        if (!reason) problems.push({ file: block.file, line: block.directiveLine ?? block.line, message: 'docs-check: skip needs a reason' });
      } else if (TS_LANGS.has(block.lang)) {
        const ext = block.lang === 'tsx' ? 'tsx' : 'ts';
        const fileName = join(root, 'docs', '.snippets', `${block.file.replace(/[^\w-]/g, '_')}_L${block.line}.${ext}`);
        toCompile.push({ block, fileName });
        reports.push({ file: block.file, line: block.line, how: 'type-checked' });
      } else {
        reports.push({ file: block.file, line: block.line, how: 'not checked', note: block.lang || 'no language' });
      }
    }
  }
  problems.push(...typeCheck(root, toCompile));
  problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return { files: files.map((f) => f.path), blocks: reports, problems };
}

/** Parsed library and package sources, shared by the checks of one process (they do not change meanwhile). */
const sourceCache = new Map();
let sourceCacheKey = '';

/**
 * Type-checks the blocks in one program: each one a module (an `export {}` is appended) with the
 * repository's compiler options, resolving @sessionhub/* to the TypeScript sources.
 * @param {string} root
 * @param {{ block: CodeBlock, fileName: string }[]} units
 * @returns {Problem[]}
 */
function typeCheck(root, units) {
  if (units.length === 0) return [];
  const configFile = ts.readConfigFile(join(root, 'tsconfig.base.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
  /** @type {ts.CompilerOptions} */
  const options = { ...parsed.options, noEmit: true, jsx: ts.JsxEmit.Preserve };
  const virtual = new Map(units.map((u) => [u.fileName, `${u.block.code}\nexport {};\n`]));
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  const cacheKey = JSON.stringify(options);
  if (cacheKey !== sourceCacheKey) {
    sourceCache.clear();
    sourceCacheKey = cacheKey;
  }
  host.fileExists = (name) => virtual.has(name) || fileExists.call(host, name);
  host.readFile = (name) => virtual.get(name) ?? readFile.call(host, name);
  host.getSourceFile = (name, language, onError, create) => {
    const text = virtual.get(name);
    if (text !== undefined) return ts.createSourceFile(name, text, language, true);
    let file = sourceCache.get(name);
    if (!file) {
      file = getSourceFile.call(host, name, language, onError, create);
      if (file) sourceCache.set(name, file);
    }
    return file;
  };
  const prelude = fileURLToPath(new URL('./snippet-prelude.d.ts', import.meta.url));
  const program = ts.createProgram({ rootNames: [prelude, ...virtual.keys()], options, host });
  /** @type {Problem[]} */
  const problems = [];
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const unit = units.find((u) => u.fileName === diagnostic.file?.fileName);
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (!unit) {
      // A problem outside the blocks (the prelude, the options): report it, it breaks every block.
      const where = diagnostic.file ? relative(root, diagnostic.file.fileName) : 'compiler options';
      problems.push({ file: where, line: 0, message: `TS${diagnostic.code}: ${message}` });
      continue;
    }
    const { line } = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start) : { line: 0 };
    problems.push({ file: unit.block.file, line: unit.block.line + line, message: `TS${diagnostic.code}: ${message}` });
  }
  return problems;
}

/** Runs the checker on the repository and prints the result. */
function main() {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const started = performance.now();
  const report = checkDocs({ root });
  const count = (/** @type {BlockReport['how']} */ how) => report.blocks.filter((b) => b.how === how).length;
  for (const p of report.problems) console.error(`${p.file}:${p.line}: ${p.message}`);
  for (const b of report.blocks.filter((x) => x.how === 'skipped')) console.log(`skipped ${b.file}:${b.line} (${b.note})`);
  console.log(
    `docs:check: ${report.files.length} Markdown files, ${count('type-checked')} TypeScript blocks type-checked, ` +
      `${count('included')} included from compiled examples, ${count('skipped')} skipped, ${count('not checked')} in other languages; ` +
      `${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} (${Math.round(performance.now() - started)} ms)`,
  );
  process.exitCode = report.problems.length ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
