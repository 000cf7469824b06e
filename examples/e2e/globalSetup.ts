import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildPages } from './harness/pages';

declare module 'vitest' {
  export interface ProvidedContext {
    pagesDir: string;
  }
}

/** The pages are built once per run; every test serves them from this directory. */
export default async function setup(project: TestProject): Promise<() => void> {
  const pagesDir = mkdtempSync(join(tmpdir(), 'ks-e2e-pages-'));
  const remove = () => rmSync(pagesDir, { recursive: true, force: true });
  try {
    await buildPages(pagesDir);
  } catch (error) {
    remove();
    throw error;
  }
  project.provide('pagesDir', pagesDir);
  return remove;
}
