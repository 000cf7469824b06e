import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const FENCE = /^\s{0,3}(`{3,}|~{3,})/;
const CODE_SPAN = /(`+)[^`][\s\S]*?\1/g;
const INLINE = /\]\(\s*<?([^)\s>]+)>?(?:\s+["'(][^)]*)?\)/g;
const DEFINITION = /^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/gm;
const HTML = /\b(?:href|src)\s*=\s*["']([^"']+)["']/g;
const ABSOLUTE = /^(?:[a-z][a-z0-9+.-]*:|\/\/|#)/i;

/** The relative link and image targets of a markdown text, outside code, as written. */
export function relativeLinks(markdown: string): string[] {
  let inFence: string | null = null;
  const prose: string[] = [];
  for (const line of markdown.split('\n')) {
    const fence = FENCE.exec(line)?.[1];
    if (inFence) {
      if (fence?.startsWith(inFence)) inFence = null;
    } else if (fence) {
      inFence = fence;
    } else {
      prose.push(line);
    }
  }
  const text = prose.join('\n').replace(CODE_SPAN, '');
  return [INLINE, DEFINITION, HTML]
    .flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1] ?? ''))
    .filter((target) => target && !ABSOLUTE.test(target));
}

/** Every markdown file under a directory, node_modules left out. */
export function markdownFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter(
      (file) => file.toLowerCase().endsWith('.md') && !file.split(sep).includes('node_modules'),
    )
    .map((file) => join(root, file))
    .filter((file) => statSync(file).isFile());
}

/**
 * The relative links of these markdown files that do not reach a file inside `root`,
 * as `file → target` (file relative to root): a link out of root counts as broken.
 */
export function brokenLinks(root: string, files: string[]): string[] {
  const broken: string[] = [];
  for (const file of files) {
    for (const target of relativeLinks(readFileSync(file, 'utf8'))) {
      const path = decodeURIComponent(target.replace(/[?#].*$/, ''));
      const reached = resolve(dirname(file), path);
      const inside = !relative(root, reached).startsWith('..');
      if (!inside || !existsSync(reached)) broken.push(`${relative(root, file)} → ${target}`);
    }
  }
  return broken;
}
