/*
 * The probe of the lin measurement build (bench/moddable-lin.ts), a setup
 * module, so it runs before the app's main: at setup, right after main and
 * every 5 s it collects garbage and traces the XS heap in use as the SDK's
 * instrumentation counts it (bytes of this build: sizeof(txSlot) a slot).
 */
import Debug from 'debug';
import Instrumentation from 'instrumentation';
import Time from 'time';
import Timer from 'timer';

const NAMES = ['XS Slot Heap Used', 'XS Chunk Heap Used', 'XS Stack Used', 'XS Modules Loaded'];
let ids;

function sample(label) {
  ids ??= NAMES.map((n) => Instrumentation.map(n)); // not at preload: the natives are not there yet
  Debug.gc();
  const [slots, chunks, stack, modules] = ids.map((i) => Instrumentation.get(i));
  trace(`probe ${label} ms=${Time.ticks} slotBytes=${slots} chunkBytes=${chunks} stackBytes=${stack} modules=${modules}\n`);
}

export default function (done) {
  let n = 0;
  Timer.repeat(() => sample(`tick${++n}`), 5000);
  Timer.set(() => sample('main'), 0);
  done();
}
