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

/** The crash rule tests' clock start and their rule: the lab's relay on above 21 °C. */
export const T0 = 1_767_225_600_000;
export const WARM_RULE = {
  id: 'relay-when-warm',
  name: 'Relay on when the lab is warm',
  triggers: [{ kind: 'numeric', series: { node: 'lab', component: 'bme280', name: 'temperature' }, above: 21, hysteresis: 0.5 }],
  actions: [{ kind: 'output', node: 'lab', output: 'relay', op: 'on' }],
};
