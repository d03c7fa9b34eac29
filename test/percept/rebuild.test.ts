import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Scenario } from '../../sim/scenario/scenario.js';
import { tempDir, TestNode } from '../hub/helpers.js';
import { feedScenario, PerceptRig, type Said } from './rig.js';
import { buttons, c3Room } from './scenarios.js';

const tmp = tempDir('fazt-rebuild-');
after(() => tmp.cleanup());
const MIN = 60_000;
const UNTIL = 24 * MIN;

/** The room and the desk together: PIR, faults, the light ramp, buttons. */
function house(): Scenario {
  const room = c3Room();
  return { ...room, boards: [...room.boards, ...buttons().boards] };
}

/** The same house fed to a fresh rig; `at` runs after the batch that ends at that simulated time. */
function run(name: string, at: Record<number, (rig: PerceptRig) => void> = {}): PerceptRig {
  const rig = new PerceptRig(`${tmp.dir}/${name}`);
  const nodes = { c3: rig.add(new TestNode(61)), desk: rig.add(new TestNode(62)) };
  feedScenario(rig, house(), nodes, { untilMs: UNTIL, batchMs: 20_000, every: (t) => at[t]?.(rig) });
  return rig;
}

const summary = (ps: Said[]) => ps.map((p) => `${p.type}:${p.data.state ?? p.data.direction ?? p.data.gesture ?? p.data.name}@${p.data.at}`);

describe('percept state rebuilt from the log', () => {
  let straight: Said[];
  before(() => {
    const rig = run('straight');
    straight = rig.percepts();
    rig.close();
  });

  it('a hub restarted three times says exactly what one that never stopped says (pending presence, an unplugged sensor, trend windows across the restarts)', () => {
    // 7 min: presence waits to clear (motion ended at 5 min); 11 min: the SHT4x is unplugged; 16 min: mid trend window.
    const restart = (rig: PerceptRig) => rig.restart();
    const rig = run('restarted', { [7 * MIN]: restart, [11 * MIN]: restart, [16 * MIN]: restart });
    const said = rig.percepts();
    assert.ok(straight.length > 40);
    for (const kind of ['level', 'trend', 'motion', 'presence', 'gesture', 'sensor'])
      assert.ok(
        straight.some((p) => p.type === `percept.${kind}`),
        kind,
      );
    assert.deepStrictEqual(summary(said), summary(straight));
    assert.deepStrictEqual(said, straight, 'the same percepts, the same data, the same causes, in the same order');
    assert.deepStrictEqual(rig.logs, [], 'nothing to recover after clean stops');
    rig.close();
  });

  it('percepts lost to a crash between a node commit and the hub append are made on the next start, once', () => {
    let crashed = 0;
    const rig = run('crashed', {
      // The engine dies at 9 min while node batches keep being stored (presence clear and the unplug fall in the gap)...
      [9 * MIN]: (r) => {
        crashed = r.percepts().length;
        r.engine.stop();
      },
      // ...and the hub starts again at 10:40.
      [10 * MIN + 40_000]: (r) => {
        assert.equal(r.percepts().length, crashed, 'nothing was said while the engine was down');
        r.restart();
      },
      [13 * MIN]: (r) => r.restart(),
    });
    const recovered = rig.logs.filter((l) => l.code === 'percepts-recovered');
    assert.equal(recovered.length, 1, 'recovered at the first start after the crash, not again');
    assert.ok((recovered[0].count as number) >= 3, `recovered ${recovered[0].count}`);
    assert.deepStrictEqual(summary(rig.percepts()), summary(straight));
    rig.close();
  });
});
