import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SimLog } from './publish-gate.js';
import { runSim, SIM_DEFAULTS } from './sim-command.js';
import { startTestBroker, type TestBroker } from './test-broker.js';
import { sparkplugMessages, startTestSubscriber, type TestSubscriber } from './test-subscriber.js';

function collectingLog(lines: { msg: string; obj: object }[]): SimLog {
  const add = (obj: object, msg = ''): void => void lines.push({ msg, obj });
  return { info: add, warn: add, error: add, debug() {} };
}

describe('runSim', () => {
  let broker: TestBroker;
  let sub: TestSubscriber;

  beforeEach(async () => {
    broker = await startTestBroker();
    sub = await startTestSubscriber(broker.url, ['spBv1.0/#', 'uns/#']);
  });

  afterEach(async () => {
    await sub.close();
    await broker.close();
  });

  it('defaults to the local broker and the 3 × 5 demo plant', () => {
    expect(SIM_DEFAULTS).toMatchObject({ mqttUrl: 'mqtt://127.0.0.1:1883', factories: 1, lines: 3, machines: 5, tags: 0, rateHz: 1 });
  });

  it('logs the achieved rate while running and stops by itself after durationS', async () => {
    const lines: { msg: string; obj: object }[] = [];
    const stats = await runSim({ mqttUrl: broker.url, rateHz: 10, durationS: 1.2, statsIntervalS: 0.5, handleSignals: false, log: collectingLog(lines) });
    expect(stats.points).toBeGreaterThan(500);
    const progress = lines.filter((l) => l.msg === 'publishing');
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect((progress[0]!.obj as { pointsPerSec: number }).pointsPerSec).toBeGreaterThan(300);
    expect(lines.some((l) => l.msg === 'stopping the virtual factory')).toBe(true);
    await sub.waitFor((m) => sparkplugMessages(m).filter((x) => x.type === 'NDEATH').length === 2, 3000, 'NDEATHs');
  });

  it('stops cleanly with NDEATH when the process gets SIGINT', async () => {
    const entry = fileURLToPath(new URL('./sim-command.ts', import.meta.url));
    const code = `import { runSim } from ${JSON.stringify(entry)}; await runSim({ mqttUrl: ${JSON.stringify(broker.url)}, statsIntervalS: 60 }); process.stdout.write('done');`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    try {
      await sub.waitFor((m) => sparkplugMessages(m).filter((x) => x.type === 'DBIRTH').length === 10, 15_000, 'births from the child');
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    expect(out).toBe('done');
    const ndeaths = sparkplugMessages(sub.messages).filter((x) => x.type === 'NDEATH');
    expect(ndeaths.map((x) => x.group).sort()).toEqual(['shanghai-lingang:assembly', 'shanghai-lingang:machining']);
  });
});
