/**
 * Self time of a `.cpuprofile` (from `BENCH_RELAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=D"`),
 * by function and by package, so two relays' profiles can be compared line by line:
 *   node --import tsx bench/profileSummary.ts D/CPU.*.cpuprofile [top=40]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** `node_modules/.pnpm/<pkg>/node_modules/<name>/…` → `<name>`; our own files by path. */
function packageOf(url: string): string {
  if (!url) return '(native/vm)';
  const at = url.lastIndexOf('node_modules/');
  if (at >= 0) {
    const rest = url.slice(at + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\/.*\/packages\//, '');
}

function summarise(path: string, top: number): void {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  let total = 0;
  let idle = 0;
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += us;
      continue;
    }
    total += us;
    const pkg = packageOf(url);
    const key = `${functionName || '(anonymous)'}  ${pkg}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
  const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
  console.log(`${path}\nbusy ${ms(total)}, idle ${ms(idle)}`);
  console.log('\nby package / file:');
  for (const [key, us] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${ms(us)} ${pct(us)}  ${key}`);
  }
  console.log('\nby function:');
  for (const [key, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${ms(us)} ${pct(us)}  ${key}`);
  }
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: profileSummary.ts <file.cpuprofile> [top]');
  process.exit(2);
}
summarise(file, Number(topArg ?? 40));
