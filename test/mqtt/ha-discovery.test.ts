import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HaTopics, type NodeDevice, nodeDiscovery } from '../../host/mqtt/ha-discovery.js';
import { haSensorKind } from '../../host/mqtt/ha-units.js';

describe('SenML readings as Home Assistant shows them', () => {
  it('map units to HA units, device classes and state classes', () => {
    assert.deepEqual(haSensorKind('temperature', 'Cel', 21.5), { platform: 'sensor', stateClass: 'measurement', unit: '°C', deviceClass: 'temperature' });
    assert.deepEqual(haSensorKind('humidity', '%RH', 40), { platform: 'sensor', stateClass: 'measurement', unit: '%', deviceClass: 'humidity' });
    assert.deepEqual(haSensorKind('energy', 'kWh', 3), { platform: 'sensor', stateClass: 'total_increasing', unit: 'kWh', deviceClass: 'energy' });
    assert.deepEqual(haSensorKind('pm25', 'ug/m3', 3), { platform: 'sensor', stateClass: 'measurement', unit: 'µg/m³', deviceClass: 'pm25' });
    assert.deepEqual(haSensorKind('battery', '%', 80), { platform: 'sensor', stateClass: 'measurement', unit: '%', deviceClass: 'battery' });
    assert.deepEqual(haSensorKind('count', 'count', 3), { platform: 'sensor', stateClass: 'measurement' });
    assert.deepEqual(
      haSensorKind('odd', 'NTU', 3),
      { platform: 'sensor', stateClass: 'measurement', unit: 'NTU' },
      'a unit HA has no class for is shown as SenML spells it',
    );
  });

  it('booleans are binary sensors, text is a sensor without a state class', () => {
    assert.deepEqual(haSensorKind('motion', undefined, true), { platform: 'binary_sensor', deviceClass: 'motion' });
    assert.deepEqual(haSensorKind('pressed', undefined, false), { platform: 'binary_sensor' });
    assert.deepEqual(haSensorKind('state', undefined, 'running'), { platform: 'sensor' });
  });
});

describe('a node’s device discovery document', () => {
  const t = new HaTopics('fazt', 'homeassistant');
  const device = (outputs: NodeDevice['outputs']): NodeDevice => ({
    id: 'n1',
    name: null,
    board: null,
    firmware: null,
    readings: new Map([['led_on', { sensor: 'led', name: 'on', sample: false, seenAt: 0 }]]),
    outputs,
    intervals: new Map(),
    latencyMs: 0,
    removing: new Map(),
  });

  it('shows an LED as a light on its read-back topic, and not its read-back as a sensor of its own', () => {
    const doc = nodeDiscovery(t, 'hub1', { name: 'fazt', sw: '0' }, device([{ name: 'led', driver: 'digital-output', pin: 2 }])) as {
      cmps: Record<string, unknown>;
      dev: unknown;
    };
    assert.deepEqual(doc.dev, { ids: ['fazt_n1'], name: 'n1', mf: 'Fazt', via_device: 'fazt_hub1' });
    assert.deepEqual(doc.cmps, {
      led_output: {
        p: 'light',
        unique_id: 'fazt_n1_led_output',
        name: 'led',
        command_topic: 'fazt/n1/led/set',
        state_topic: 'fazt/n1/led/on',
        state_value_template: "{{ 'ON' if value_json.value else 'OFF' }}",
        optimistic: false,
      },
    });
  });

  it('a reading that is no output’s read-back is a binary sensor; a buzzer is a switch on its playing channel', () => {
    const doc = nodeDiscovery(t, 'hub1', { name: 'fazt', sw: '0' }, device([{ name: 'beeper', driver: 'buzzer', pin: 5 }])) as {
      cmps: Record<string, Record<string, unknown>>;
    };
    assert.equal(doc.cmps.led_on.p, 'binary_sensor');
    assert.equal(doc.cmps.beeper_output.p, 'switch');
    assert.equal(doc.cmps.beeper_output.state_topic, 'fazt/n1/beeper/playing');
  });
});
