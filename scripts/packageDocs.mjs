// prepack/postpack of each published package: a tarball has no repository around it, so its
// README's links into the repo's docs/ would lead nowhere on npm and in node_modules. prepack
// copies the docs the README reaches (following their links in turn) into the package's
// git-ignored docs/ and points the README's links there; postpack puts the README back.
// Run from the package directory: `node ../../scripts/packageDocs.mjs prepack|postpack`.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const REPO_DOCS = join(REPO_ROOT, 'docs');
// Code spans are matched only to be left alone, as fenced blocks are skipped: neither is a link.
const LINK = /(`+)[^`][\s\S]*?\1|(!?)\[([^\]]*)\]\(\s*([^)\s]+)((?:\s+"[^"]*")?)\s*\)/g;
const FENCE = /^\s{0,3}(`{3,}|~{3,})/;
const ABSOLUTE = /^(?:[a-z][a-z0-9+.-]*:|\/\/|#)/i;

const isInside = (dir, path) => !relative(dir, path).startsWith('..');
const splitTarget = (target) => {
  const at = target.search(/[?#]/);
  return at < 0 ? [target, ''] : [target.slice(0, at), target.slice(at)];
};

/** Calls `edit(text)` on each run of lines outside fenced code blocks; the rest is kept. */
function mapProse(markdown, edit) {
  const out = [];
  let prose = [];
  let inFence = null;
  const flush = () => {
    if (prose.length > 0) out.push(edit(prose.join('\n')));
    prose = [];
  };
  for (const line of markdown.split('\n')) {
    const fence = FENCE.exec(line)?.[1];
    if (inFence) {
      if (fence?.startsWith(inFence)) inFence = null;
      out.push(line);
    } else if (fence) {
      flush();
      inFence = fence;
      out.push(line);
    } else {
      prose.push(line);
    }
  }
  flush();
  return out.join('\n');
}

/** The files (absolute) that a markdown file's relative links name. */
function linkedFiles(file) {
  const found = [];
  mapProse(readFileSync(file, 'utf8'), (text) => {
    for (const match of text.matchAll(LINK)) {
      const target = match[4];
      if (!target || ABSOLUTE.test(target)) continue;
      found.push(resolve(dirname(file), decodeURIComponent(splitTarget(target)[0])));
    }
    return text;
  });
  return found;
}

/**
 * The markdown files under docs/ the README reaches, directly or through other docs.
 * Screenshots stay out (they would triple a tarball); their links become text.
 */
export function docsReachedFrom(readme) {
  const reached = new Set();
  const queue = [readme];
  while (queue.length > 0) {
    for (const file of linkedFiles(queue.shift())) {
      if (!isInside(REPO_DOCS, file) || !file.endsWith('.md') || reached.has(file)) continue;
      if (!existsSync(file))
        throw new Error(`packageDocs: a link leads to ${file}, which is missing`);
      reached.add(file);
      queue.push(file);
    }
  }
  return [...reached];
}

/**
 * The markdown of `from` (a file in the repo) as it reads at `to` (its place in the package):
 * links to shipped files point at their copies, links to anything else outside the package
 * become plain text that names the file in the repo.
 */
export function relinked(markdown, from, to, shipped, packageDir) {
  return mapProse(markdown, (prose) =>
    prose.replace(LINK, (whole, code, bang, text, target, title) => {
      if (code || ABSOLUTE.test(target)) return whole;
      const [path, suffix] = splitTarget(target);
      const file = resolve(dirname(from), decodeURIComponent(path));
      const copy = shipped.get(file);
      if (copy) return `${bang}[${text}](${relative(dirname(to), copy)}${suffix}${title})`;
      // The README's own links into the package stay; packing decides whether they ship.
      if (from === to && isInside(packageDir, file)) return whole;
      const inRepo = relative(REPO_ROOT, file);
      if (text === inRepo) return `\`${inRepo}\` (in the kitchen-sync repository)`;
      return `${text} (\`${inRepo}\` in the kitchen-sync repository)`;
    }),
  );
}

/** Copies the docs into `<package>/docs/` and points the README at them; keeps the README. */
export function prepack(packageDir) {
  const { readme, backup, docs } = pathsOf(packageDir);
  const shipped = new Map(
    docsReachedFrom(readme).map((file) => [file, join(docs, relative(REPO_DOCS, file))]),
  );
  const original = readFileSync(readme, 'utf8');
  mkdirSync(dirname(backup), { recursive: true });
  try {
    // Exclusive: a second pack of this package at the same time stops here, not midway.
    writeFileSync(backup, original, { flag: 'wx' });
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
    throw new Error(
      `packageDocs: ${backup} is there: another pack of this package is running, or one did ` +
        'not finish (then run `node ../../scripts/packageDocs.mjs postpack` here to put ' +
        'README.md back)',
    );
  }
  rmSync(docs, { recursive: true, force: true });
  for (const [file, copy] of shipped) {
    mkdirSync(dirname(copy), { recursive: true });
    writeFileSync(copy, relinked(readFileSync(file, 'utf8'), file, copy, shipped, packageDir));
  }
  writeFileSync(readme, relinked(original, readme, readme, shipped, packageDir));
}

/** Puts the repo's README back and removes the copies. */
export function postpack(packageDir) {
  const { readme, backup, docs } = pathsOf(packageDir);
  if (existsSync(backup)) {
    copyFileSync(backup, readme);
    rmSync(dirname(backup), { recursive: true });
  }
  rmSync(docs, { recursive: true, force: true });
}

function pathsOf(packageDir) {
  return {
    readme: join(packageDir, 'README.md'),
    // Under node_modules: never packed, never committed.
    backup: join(packageDir, 'node_modules', '.package-docs', 'README.md'),
    docs: join(packageDir, 'docs'),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const commands = { prepack, postpack };
  const command = commands[process.argv[2]];
  if (!command) {
    console.error('usage: node scripts/packageDocs.mjs prepack|postpack (in a package directory)');
    process.exit(2);
  }
  command(process.cwd());
}
