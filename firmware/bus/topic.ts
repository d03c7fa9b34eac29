/**
 * Topics are event types: dot-separated segments, e.g. "sensor.reading".
 * Patterns use two wildcards, as MQTT does with '/':
 *   '*' matches exactly one segment ("sensor.*" matches "sensor.reading", not "sensor.a.b");
 *   '#' as the last segment matches zero or more segments ("sensor.#" matches
 *   "sensor", "sensor.reading" and "sensor.a.b"; "#" alone matches everything).
 */
export type TopicMatcher = (topic: string) => boolean;

const SEGMENT = /^[a-z0-9_-]+$/;

export function compileTopicPattern(pattern: string): TopicMatcher {
  if (typeof pattern !== 'string' || pattern.length === 0) throw new TypeError('pattern must be a non-empty string');
  const parts = pattern.split('.');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p === '#') {
      if (i !== parts.length - 1) throw new RangeError(`pattern '${pattern}': '#' may only be the last segment`);
    } else if (p !== '*' && !SEGMENT.test(p)) {
      throw new RangeError(`pattern '${pattern}': segment '${p}' must be a-z, 0-9, '_', '-', '*' or a final '#'`);
    }
  }
  if (parts.indexOf('*') < 0 && parts[parts.length - 1] !== '#') return (topic) => topic === pattern;
  return (topic) => {
    const t = topic.split('.');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (p === '#') return true;
      if (i >= t.length) return false;
      if (p !== '*' && p !== t[i]) return false;
    }
    return t.length === parts.length;
  };
}
