import { killHard, type ScriptChild, spawnScript } from '../helpers/child-process.js';

const script = new URL('./fixtures/crash-hub.ts', import.meta.url).pathname;

/** The crash fixture's hub (fixtures/crash-hub.ts) on a free loopback port, stopping at `stage` (FAZT_CRASH_AT) when given. */
export async function startCrashHub(dataDir: string, stage = '', args: string[] = []): Promise<ScriptChild & { url: string }> {
  const child = spawnScript(script, [dataDir, ...args], stage ? { FAZT_CRASH_AT: stage } : {});
  try {
    const m = await child.line(/listening (http:\/\/\S+)/, 'the hub to listen');
    return { ...child, url: m[1] };
  } catch (e) {
    await killHard(child.proc);
    throw e;
  }
}
