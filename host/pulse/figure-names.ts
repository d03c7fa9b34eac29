/**
 * The figures (numbers) and facts (words) a beat collects, by scope, with
 * what each means. A check's metric and its text's placeholders may name only
 * these, so a typo fails when the checks load instead of leaving a check
 * unknown forever. A collector that adds a figure adds it here.
 */
export const HUB_FIGURES = {
  ingestRate: 'events stored per second since the last beat',
  events: 'events in the store',
  storeBytes: "the store's size as SQLite counts it (its pages, also those still in the write-ahead log), bytes",
  walBytes: "the store's write-ahead log size, bytes",
  storeErrors: 'store errors since the hub started (a counter)',
  diskFreeBytes: 'free bytes on the disk under the store',
  diskFreeRatio: 'the free share of that disk, 0..1',
  batchesAcked: 'batches acknowledged since the hub started (a counter)',
  batchesRefused: 'batches refused since the hub started (a counter)',
  refusedRatio: 'the share of batches refused since the last beat, 0..1',
  cpuRatio: "the hub process's CPU use since the last beat, 0..1 of one core",
  rssBytes: "the hub process's resident memory, bytes",
  heapUsedBytes: "the hub process's JavaScript heap in use, bytes",
  eventLoopDelayMs: "the event loop's delay since the last beat (p99), ms",
  streamClients: 'clients holding the event stream open',
  uptimeMs: 'how long the hub process has run, ms',
  timeConfidence: "Timekeeper's confidence in the hub's clock, 0..1 (peers mode only)",
  timeSources: 'the peers Timekeeper averaged at its last poll',
  ntpSynced: "1 when the system says NTP keeps its clock, else 0 (no check by default: a hub without NTP takes peers' time)",
  beaconPeers: 'verified peers Beacon knows',
  beaconRefused: 'Beacon announcements refused since the hub started (a counter)',
  nodes: 'enrolled nodes',
  ruleFirings: 'rule runs since the hub started (a counter)',
  ruleFailures: 'rule runs that failed since the hub started (a counter)',
  webhookErrors: 'webhook calls that failed since the hub started (a counter)',
  bleDevices: "the hub's BLE devices (fazt ble add; absent when it has none)",
  bleAbsent: 'those of them absent: not heard for their window (--ble-interval × 5), so their sensor is unplugged',
} as const;

export const NODE_FIGURES = {
  lastSeenMs: 'time since the hub last heard a verified batch from the node, ms (one it could not store counts: a full store is not a silent node)',
  expectedMs: 'how often the node usually reports: the wake period it declares when it sleeps (deep sleep), else the median gap between its stored batches, ms',
  silentRatio: 'lastSeenMs ÷ expectedMs (missed reports, or missed wakes of a sleeping node)',
  wakeEveryMs: 'the wake period a sleeping node declared at its latest boot (config power.wakeEveryMs), ms',
  batteryVolts: "the battery's voltage at the node's latest system.health, V",
  batteryCharge: "the battery's charge at the node's latest system.health, 0..1 (its percent ÷ 100: a straight line between the board's empty and full volts)",
  reboots: 'system.boot events stored since the hub started (a counter)',
  uptimeMs: "the node's uptime at its latest system.health, ms",
  freeHeap: 'free heap at its latest system.health, bytes',
  largestFreeBlock: 'the largest free heap block, bytes',
  minFreeHeap: 'the lowest free heap since boot, bytes',
  heapLossRatio: "free heap lost since the node's first system.health after boot, 0..1 (after a restart, the last boot's until the next system.health)",
  rssi: 'Wi-Fi signal strength, dBm',
  uplinkRetries: 'uplink retries the node counted since boot',
  bufferFill: "the offline buffer's fill, 0..1",
  clockOffsetMs: "how far the node's clock is from the hub's, either way, ms, from its batches since it last stepped its clock (system.clock)",
  gaps: 'ranges the node signed as dropped from its chain: its buffer full (system.buffer.overflow), or a hub restored behind it (system.hub.behind) (a counter)',
  dropped: 'events in those ranges (a counter)',
  refusedForks: 'batches refused for a broken chain or a fork (a counter)',
  forkedAt: 'the first seq at which the node forked (two validly signed entries, kept as proof: system.mesh.fork), 0 when it has not',
  lateBatches: 'batches that arrived late (a counter)',
  sensors: 'sensors the node has',
  sensorsDown: 'sensors whose state is not ok',
  commandsQueued: 'commands waiting for the node (queued or delivered, not yet settled)',
  commandsExpired: 'commands that expired before the node took them (a counter)',
  commandsFailed: 'commands the node reported failed (a counter)',
} as const;

/** `ble`: 'configured' when the hub has BLE devices (absent: none); `bleAbsentNames`: the absent ones' names (their MAC when unnamed). */
export const HUB_FACTS = ['version', 'ble', 'bleAbsentNames'] as const;
/** `power`: 'deep-sleep' for a node whose latest boot declares it (absent: always-on); `battery`: 'measured', or 'unreadable' when its reading failed (absent: the board has none). */
export const NODE_FACTS = ['firmware', 'board', 'resetReason', 'power', 'battery'] as const;
