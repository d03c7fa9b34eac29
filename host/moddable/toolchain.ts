import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * What building Moddable firmware needs on this machine, per Moddable's
 * docs (documentation/Moddable SDK - Getting Started.md, Linux;
 * documentation/devices/esp32.md, Linux): the SDK checkout in MODDABLE, its
 * tools (mcconfig) on PATH, and for esp32 targets ESP-IDF v6.0 in IDF_PATH
 * with its export.sh sourced (idf.py on PATH). mcconfig also runs `tsc`
 * (TypeScript 6 or newer) from PATH: the build puts the project's own first.
 */
const ESP_IDF_VERSION = 'v6.0';

interface Missing {
  what: 'MODDABLE' | 'mcconfig' | 'IDF_PATH' | 'idf.py';
  why: string;
}

export interface ToolchainStatus {
  missing: Missing[];
  /** The mcconfig found on PATH. */
  mcconfig?: string;
}

function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      if (!statSync(file).isFile()) continue;
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

const needsIdf = (platform: string): boolean => platform === 'esp32' || platform.startsWith('esp32/');

export function checkToolchain(platform: string, env: NodeJS.ProcessEnv): ToolchainStatus {
  const missing: Missing[] = [];
  if (!env.MODDABLE) missing.push({ what: 'MODDABLE', why: 'MODDABLE is not set (the Moddable SDK checkout)' });
  else if (!existsSync(join(env.MODDABLE, 'examples', 'manifest_base.json')))
    missing.push({ what: 'MODDABLE', why: `MODDABLE=${env.MODDABLE} is not a Moddable SDK checkout (no examples/manifest_base.json)` });
  const mcconfig = findOnPath('mcconfig', env);
  if (!mcconfig) missing.push({ what: 'mcconfig', why: "mcconfig is not on PATH (the SDK's tools, built in $MODDABLE/build/bin/lin/release)" });
  if (needsIdf(platform)) {
    if (!env.IDF_PATH) missing.push({ what: 'IDF_PATH', why: `IDF_PATH is not set (ESP-IDF ${ESP_IDF_VERSION}, needed for ${platform})` });
    else if (!existsSync(join(env.IDF_PATH, 'tools', 'idf.py')))
      missing.push({ what: 'IDF_PATH', why: `IDF_PATH=${env.IDF_PATH} is not an ESP-IDF checkout (no tools/idf.py)` });
    if (!findOnPath('idf.py', env)) missing.push({ what: 'idf.py', why: 'idf.py is not on PATH (source $IDF_PATH/export.sh in this shell)' });
  }
  return { missing, mcconfig };
}

/** Quotes a word for a POSIX shell when it needs it. */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

const SDK_STEPS = [
  '# the Moddable SDK (documentation/Moddable SDK - Getting Started.md, Linux)',
  'sudo apt-get install gcc git wget make libncurses-dev flex bison gperf libgtk-3-dev',
  'mkdir -p ~/Projects && git clone https://github.com/Moddable-OpenSource/moddable ~/Projects/moddable',
  'export MODDABLE=~/Projects/moddable',
  'export PATH=$PATH:$MODDABLE/build/bin/lin/release',
  'cd $MODDABLE/build/makefiles/lin && make',
];

const IDF_STEPS = [
  `# ESP-IDF ${ESP_IDF_VERSION} (documentation/devices/esp32.md, Linux)`,
  'sudo apt-get install git wget flex bison gperf python-is-python3 python3-pip python3-serial python-setuptools cmake ninja-build ccache libffi-dev libssl-dev dfu-util',
  'mkdir -p ~/esp32 && cd ~/esp32',
  `git clone -b ${ESP_IDF_VERSION} --recursive https://github.com/espressif/esp-idf.git esp-idf-${ESP_IDF_VERSION}`,
  `export IDF_PATH=$HOME/esp32/esp-idf-${ESP_IDF_VERSION}`,
  'cd $IDF_PATH && sh ./install.sh',
  'source $IDF_PATH/export.sh',
];

/** What is missing, the setup steps for it, and the commands that then build. */
export function setupInstructions(status: ToolchainStatus, commands: string[]): string {
  const lines = ['missing:', ...status.missing.map((m) => `  - ${m.why}`), ''];
  const has = (w: Missing['what']) => status.missing.some((m) => m.what === w);
  if (has('MODDABLE') || has('mcconfig')) lines.push(...SDK_STEPS, '');
  if (has('IDF_PATH')) lines.push(...IDF_STEPS, '');
  else if (has('idf.py')) lines.push('# ESP-IDF is there; set up its environment in this shell', 'source $IDF_PATH/export.sh', '');
  lines.push('# then', ...commands);
  return lines.join('\n') + '\n';
}
