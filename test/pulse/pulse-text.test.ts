import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compileTemplate,
  formatBytes,
  formatCount,
  formatDbm,
  formatDuration,
  formatNumber,
  formatPercent,
  type PlaceholderKind,
  renderTemplate,
} from '../../host/pulse/pulse-text.js';

describe('Pulse formatters', () => {
  it('say a duration in at most two units, rounded to the smaller one', () => {
    const cases: [number, string][] = [
      [0, '0 milliseconds'],
      [250, '250 milliseconds'],
      [1000, '1 second'],
      [1500, '1.5 seconds'],
      [2000, '2 seconds'],
      [45_000, '45 seconds'],
      [59_600, '1 minute'],
      [60_000, '1 minute'],
      [18 * 60_000, '18 minutes'],
      [18 * 60_000 + 29_000, '18 minutes 29 seconds'],
      [3 * 3_600_000 + 5 * 60_000 + 10_000, '3 hours 5 minutes'],
      [3 * 3_600_000 + 5 * 60_000 + 40_000, '3 hours 6 minutes'],
      [3_600_000 - 200, '1 hour'],
      [86_400_000 + 3_600_000, '1 day 1 hour'],
      [2 * 86_400_000 + 29 * 60_000, '2 days'],
      [-90_000, '-1 minute 30 seconds'],
      [Number.NaN, 'unknown'],
    ];
    for (const [ms, words] of cases) assert.equal(formatDuration(ms), words, `${ms} ms`);
  });

  it('say bytes in decimal units', () => {
    const cases: [number, string][] = [
      [512, '512 B'],
      [1000, '1 kB'],
      [16_384, '16 kB'],
      [310e6, '310 MB'],
      [1.234e9, '1.2 GB'],
      [999_600_000, '1 GB'],
      [4.2e12, '4.2 TB'],
    ];
    for (const [n, words] of cases) assert.equal(formatBytes(n), words, `${n} bytes`);
  });

  it('say ratios as percentages, counts with separators or millions, numbers with three significant digits, dBm', () => {
    assert.equal(formatPercent(0.41), '41 %');
    assert.equal(formatPercent(0.045), '4.5 %');
    assert.equal(formatPercent(1), '100 %');
    assert.equal(formatPercent(0), '0 %');
    assert.equal(formatCount(3400), '3,400');
    assert.equal(formatCount(999_999), '999,999');
    assert.equal(formatCount(1_234_567), '1.2 M');
    assert.equal(formatCount(45_000_000), '45 M');
    assert.equal(formatCount(2.5e9), '2.5 G');
    assert.equal(formatCount(2.6), '3');
    assert.equal(formatNumber(0.123456), '0.123');
    assert.equal(formatNumber(41.234), '41.2');
    assert.equal(formatNumber(1234.5), '1230');
    assert.equal(formatNumber(-0.0001), '-0.0001');
    assert.equal(formatNumber(7), '7');
    assert.equal(formatDbm(-82.4), '-82 dBm');
    assert.equal(formatDbm(Number.POSITIVE_INFINITY), 'unknown');
  });
});

describe('Pulse text templates', () => {
  const kinds: Record<string, PlaceholderKind> = { name: 'word', value: 'number', lastSeenMs: 'number', firmware: 'word' };
  const kindOf = (n: string) => kinds[n];

  it('fill placeholders with words and formatted figures', () => {
    const t = compileTemplate('{name} has been silent for {lastSeenMs|duration} (firmware {firmware}, ratio {value}).', kindOf);
    const values: Record<string, number | string> = { name: 'hallway', lastSeenMs: 18 * 60_000, firmware: '0.3.1', value: 9.0001 };
    assert.equal(
      renderTemplate(t, (k) => values[k]),
      'hallway has been silent for 18 minutes (firmware 0.3.1, ratio 9).',
    );
  });

  it('say unknown for a figure the subject lacks', () => {
    const t = compileTemplate('silent for {lastSeenMs|duration}', kindOf);
    assert.equal(
      renderTemplate(t, () => undefined),
      'silent for unknown',
    );
  });

  it('refuse an unknown placeholder, an unknown format, a format on a word and a stray brace when compiled', () => {
    assert.throws(() => compileTemplate('{nmae} is silent', kindOf), /unknown placeholder 'nmae'/);
    assert.throws(() => compileTemplate('{value|minutes}', kindOf), /unknown format 'minutes' \(one of duration, bytes, percent, count, number, dbm\)/);
    assert.throws(() => compileTemplate('{name|percent}', kindOf), /'name' is a word; formats apply to numbers/);
    assert.throws(() => compileTemplate('{value|bytes|count}', kindOf), /more than one format/);
    assert.throws(() => compileTemplate('{name is silent', kindOf), /a '\{' that is not part of a \{placeholder\}/);
    assert.throws(() => compileTemplate('name} is silent', kindOf), /a '\}' that is not part/);
  });
});
