import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { Hub } from '../../host/hub/hub.js';
import { CARTRIDGE_FILE } from '../../host/hub/hub-wiring.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { verifyStoredChains } from '../../host/store/verify-stored-chains.js';
import { killHard, type ScriptChild } from '../helpers/child-process.js';
import { asOwner, cbor, crypto, post, tempDir, TestNode } from '../hub/helpers.js';
import { WARM_RULE as rule, startCrashHub, T0 } from './hub-child.js';

/** What the hub's chain and queue hold of the rule's work. */
function work(c: Cartridge, hub: string) {
  const own = [...c.chain(hub)];
  return {
    fired: own.filter((e) => e.type === 'system.rule.fired'),
    requested: own.filter((e) => e.type === 'effect.requested'),
    commands: c.commands.list(),
  };
}

/**
 * A hub that runs the rule, its node 'lab' (a relay on GPIO 4) enrolled and booted, then a hub child
 * killed with SIGKILL at `stage` while the readings that cross 21 °C fire the rule; then restarts.
 */
async function crashDuringFiring(t: TestContext, stage: string, doc: Record<string, unknown> = rule) {
  const tmp = tempDir('fazt-crash-rule-');
  const file = join(tmp.dir, CARTRIDGE_FILE);
  const node = new TestNode(0x62);
  const hubs: ScriptChild[] = [];
  const setup = new Hub({ dataDir: tmp.dir, host: '127.0.0.1', port: 0, rules: true, log: () => undefined });
  const { url: setupUrl } = asOwner(setup, await setup.start());
  const hubId = setup.hubLog.id;
  setup.cartridge.addNode(node.identity.publicKey, { name: 'lab', board: 'esp32-devkitc' });
  node.record('system.boot', 'system', { outputs: [{ name: 'relay', driver: 'digital-output', pin: 4 }] }, T0);
  assert.equal((await post(`${setupUrl}/v1/uplink`, cbor(node.batch(1, 1)))).status, 200);
  const added = await post(`${setupUrl}/v1/rules`, JSON.stringify(doc), 'application/json');
  assert.equal(added.status, 201, JSON.stringify(added.body));
  await setup.stop();

  let acked = 1;
  const uplink = async (url: string, first: number, last: number) => {
    const res = await fetch(`${url}/v1/uplink`, {
      method: 'POST',
      body: cbor(node.batch(first, last)),
      headers: { 'content-type': 'application/cbor' },
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json()) as { ack?: number; commands?: { id: string }[] };
    assert.equal(res.status, 200, JSON.stringify(body));
    acked = Math.max(acked, body.ack ?? 0);
    return body;
  };
  const restart = async () => {
    const h = await startCrashHub(tmp.dir, '', ['--rules']);
    hubs.push(h);
    return h;
  };
  /** Opens the cartridge of a killed hub, checks it, and reads what it holds of the rule's work. */
  const inspect = <T>(read: (c: Cartridge, w: ReturnType<typeof work>) => T): T => {
    const c = Cartridge.open(file);
    try {
      assert.equal(c.db.pragma('integrity_check', { simple: true }), 'ok');
      return read(c, work(c, hubId));
    } finally {
      c.close();
    }
  };

  const h1 = await startCrashHub(tmp.dir, stage, ['--rules']);
  hubs.push(h1);
  node.append(20); // 20.1 … 22.0 °C: the rule fires as they cross 21 °C
  const sent = uplink(h1.url, 2, 21).catch((e: unknown) => e);
  const held = await h1.line(new RegExp(`holding ${stage.split(':')[0]} (\\S+)`), `the hub at stage ${stage}`);
  await killHard(h1.proc);
  const answer = await sent;
  t.diagnostic(`the batch that fired it: ${answer instanceof Error ? answer.message : JSON.stringify(answer)}`);
  return {
    held: held[1],
    node,
    hubs,
    uplink,
    restart,
    inspect,
    acked: () => acked,
    done: async () => {
      for (const h of hubs) await killHard(h.proc);
      tmp.cleanup();
    },
  };
}

describe('crash matrix: kill -9 of the hub during a rule firing', () => {
  it('a firing killed before its commit leaves nothing half done, and is carried out once after the restart: not again after a second one', {
    timeout: 60_000,
  }, async (t) => {
    const r = await crashDuringFiring(t, 'firing');
    try {
      r.inspect((c, w) => {
        assert.deepStrictEqual([w.fired.length, w.requested.length, w.commands.length], [0, 0, 0], `nothing of the firing (${r.held}) was committed`);
        assert.equal(c.head(r.node.id)?.seq, 21, "the node's batch was committed before the rules ran");
      });

      // Restarted: the replay finds the batch past the rules cursor and carries out what it fired; the node sends
      // the batch it got no answer for again (stored already: it fires nothing), then more warm readings (no new crossing).
      const h2 = await r.restart();
      r.node.append(5); // 22.1 … 22.5 °C
      const reply = await r.uplink(h2.url, 2, 26);
      await killHard(h2.proc);
      const first = r.inspect((c, w) => {
        const heads = verifyStoredChains(c, crypto);
        assert.equal(heads.find((h) => h.node === r.node.id)?.seq, r.acked());
        assert.deepStrictEqual([...c.chain(r.node.id)], r.node.entries, "every one of the node's events, once");
        assert.deepStrictEqual([w.fired.length, w.requested.length, w.commands.length], [1, 1, 1], 'the firing, its request and its command, once');
        const [fired] = w.fired;
        const [command] = w.commands;
        const crossing = r.node.entries.find((e) => (e.data as { value?: number }).value === 21.1);
        assert.ok(crossing && (fired.data as { causes: string[] }).causes.includes(crossing.id), 'the firing cites the reading that crossed 21 °C');
        assert.equal(command.cause, w.requested[0].id, 'the command cites its request');
        assert.deepStrictEqual(
          reply.commands?.map((x) => x.id),
          [command.id],
          'the command reached the node in the answer to its next batch',
        );
        return { fired: fired.id, command: command.id };
      });

      // A second restart replays the same log: the firing is behind the cursor now and is not carried out again.
      const h3 = await r.restart();
      r.node.append(3);
      await r.uplink(h3.url, 27, 29);
      await killHard(h3.proc);
      const again = r.inspect((_c, w) => {
        assert.deepStrictEqual([w.fired.length, w.requested.length, w.commands.length], [1, 1, 1], 'still one firing, one request, one command');
        return { fired: w.fired[0].id, command: w.commands[0].id };
      });
      assert.deepStrictEqual(again, first);
      t.diagnostic(
        `killed with command ${r.held} queued inside the uncommitted firing; after the restart: firing ${first.fired}, command ${first.command}, once`,
      );
    } finally {
      await r.done();
    }
  });

  it("a run's step after its delay (a timer), killed before its commit, is carried out once after the restart", { timeout: 60_000 }, async (t) => {
    const pulse = {
      ...rule,
      id: 'relay-pulse-when-warm',
      actions: [rule.actions[0], { kind: 'delay', for: '1s' }, { kind: 'output', node: 'lab', output: 'relay', op: 'off' }],
    };
    // The first command (on) commits with the firing; the kill lands inside the second (off), when the delay's timer fires.
    const r = await crashDuringFiring(t, 'firing:2', pulse);
    try {
      const on = r.inspect((_c, w) => {
        assert.deepStrictEqual([w.fired.length, w.requested.length, w.commands.length], [1, 1, 1], 'the run started and its first step committed');
        return w.commands[0].id;
      });
      const h2 = await r.restart();
      r.node.append(5);
      const reply = await r.uplink(h2.url, 2, 26);
      await killHard(h2.proc);
      const after = r.inspect((_c, w) => {
        assert.deepStrictEqual(
          w.fired.map((e) => (e.data as { outcome: string }).outcome),
          ['fired', 'continued'],
          'the run went on after its delay, once',
        );
        assert.deepStrictEqual(
          w.commands.map((x) => x.action),
          [
            { output: 'relay', op: 'on' },
            { output: 'relay', op: 'off' },
          ],
        );
        assert.equal(w.commands[0].id, on);
        assert.deepStrictEqual(
          reply.commands?.map((x) => x.id),
          w.commands.map((x) => x.id),
        );
        return w.commands.map((x) => x.id);
      });
      const h3 = await r.restart();
      r.node.append(3);
      await r.uplink(h3.url, 27, 29);
      await killHard(h3.proc);
      r.inspect((_c, w) => {
        assert.deepStrictEqual(
          w.commands.map((x) => x.id),
          after,
          'a second restart carries out nothing again',
        );
        assert.equal(w.fired.length, 2);
      });
      t.diagnostic(`killed inside the delayed step (command ${r.held}); after the restart: on ${after[0]}, off ${after[1]}, once`);
    } finally {
      await r.done();
    }
  });

  it('a firing killed right after its commit is not carried out again after the restart', { timeout: 60_000 }, async (t) => {
    const r = await crashDuringFiring(t, 'fired');
    try {
      const committed = r.inspect((c, w) => {
        assert.equal(c.head(r.node.id)?.seq, 21);
        assert.deepStrictEqual([w.fired.length, w.requested.length, w.commands.length], [1, 1, 1], 'the firing was committed whole');
        assert.equal(`${w.commands[0].id}:${w.commands[0].seq}`, r.held);
        return w.commands[0].id;
      });
      const h2 = await r.restart();
      r.node.append(5);
      const reply = await r.uplink(h2.url, 2, 26);
      await killHard(h2.proc);
      r.inspect((_c, w) => {
        assert.deepStrictEqual([w.fired.length, w.requested.length, w.commands.length], [1, 1, 1], 'nothing carried out twice');
        assert.deepStrictEqual(
          reply.commands?.map((x) => x.id),
          [committed],
        );
      });
      t.diagnostic(`killed right after the commit of command ${r.held}; after the restart: still that one command`);
    } finally {
      await r.done();
    }
  });
});
