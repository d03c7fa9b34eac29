/**
 * The senders of bench/ingest, in a child process so their HTTP client work
 * does not run in the hub's process: for each round and hub the main thread
 * names, POST that round's batch of every node to that hub, CONCURRENCY at a time, and report
 * each request's latency and the round's wall time.
 */
/** Per hub: its URL and, per node, the body of each round's batch (the full or the compact form). */
let setup: { urls: string[]; bodies: Uint8Array[][][]; concurrency: number } | undefined;

process.on('message', async (msg: { setup?: typeof setup; round?: number; to?: number }) => {
  if (msg.setup) {
    setup = msg.setup;
    process.send?.({ ready: true });
    return;
  }
  const { urls, bodies, concurrency } = setup as NonNullable<typeof setup>;
  const round = msg.round as number;
  const url = urls[msg.to ?? 0];
  const perNode = bodies[msg.to ?? 0];
  const latencies: number[] = [];
  let next = 0;
  const t0 = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    for (let n = next++; n < perNode.length; n = next++) {
      const s = process.hrtime.bigint();
      const res = await fetch(`${url}/v1/uplink`, { method: 'POST', headers: { 'content-type': 'application/cbor' }, body: perNode[n][round] });
      const r = (await res.json()) as { ack?: number };
      latencies.push(Number(process.hrtime.bigint() - s) / 1e6);
      if (res.status !== 200 || typeof r.ack !== 'number') throw new Error(`hub refused: ${res.status} ${JSON.stringify(r)}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  process.send?.({ latencies, ns: Number(process.hrtime.bigint() - t0) });
});
