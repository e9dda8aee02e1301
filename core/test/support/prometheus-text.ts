/**
 * A strict parser of Prometheus' text exposition format 0.0.4 (what GET /metrics answers): it
 * throws, naming the line, on anything a Prometheus server would refuse or misread, and checks
 * what the format promises about each kind of metric.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  /** The sample's own name (a histogram's name_bucket, name_sum, name_count). */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string | null;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: readonly MetricType[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];
const SUFFIXES: Record<MetricType, readonly string[]> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('the exposition does not end with a line feed');
  const families = new Map<string, MetricFamily>();
  const typed = new Set<string>();
  // A family's samples must come together: once another family's sample came, it is closed.
  const closed = new Set<string>();
  let current: MetricFamily | null = null;
  const seriesSeen = new Set<string>();
  const lines = text.split('\n').slice(0, -1);
  lines.forEach((line, index) => {
    const where = `line ${index + 1} ("${line.length > 120 ? `${line.slice(0, 120)}…` : line}")`;
    try {
      if (line.trim() === '') return;
      if (line.startsWith('#')) {
        const match = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
        if (!match) return; // a plain comment
        const [, keyword, name, rest = ''] = match;
        if (!METRIC_NAME.test(name!)) throw new Error(`"${name}" is not a metric name`);
        const family = families.get(name!) ?? { name: name!, type: 'untyped' as MetricType, help: null, samples: [] };
        if (family.samples.length > 0) throw new Error(`${keyword} of ${name} comes after its samples`);
        if (keyword === 'HELP') {
          if (family.help !== null) throw new Error(`a second HELP for ${name}`);
          family.help = unescapeHelp(rest);
        } else {
          if (typed.has(name!)) throw new Error(`a second TYPE for ${name}`);
          if (!TYPES.includes(rest.trim() as MetricType)) throw new Error(`"${rest}" is not a metric type`);
          family.type = rest.trim() as MetricType;
          typed.add(name!);
        }
        families.set(name!, family);
        return;
      }
      const sample = parseSample(line);
      const family = findFamily(sample.name, families) ?? untypedFamily(sample.name, families);
      if (current !== family) {
        if (closed.has(family.name)) throw new Error(`the samples of ${family.name} are not all together`);
        if (current) closed.add(current.name);
        current = family;
      }
      const key = `${sample.name}{${Object.entries(sample.labels).sort().map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
      if (seriesSeen.has(key)) throw new Error(`the series ${key} appears twice`);
      seriesSeen.add(key);
      if (family.type === 'counter' && !(sample.value >= 0)) throw new Error(`counter ${sample.name} is ${sample.value}`);
      family.samples.push(sample);
    } catch (error) {
      throw new Error(`${where}: ${(error as Error).message}`);
    }
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

/** The samples of a family whose labels include all of `labels`. */
export function samplesOf(families: Map<string, MetricFamily>, sampleName: string, labels: Record<string, string> = {}): Sample[] {
  const family = findFamily(sampleName, families);
  return (family?.samples ?? []).filter((s) => s.name === sampleName && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** The sum of the values of the matching samples (0 when there are none). */
export function sumOf(families: Map<string, MetricFamily>, sampleName: string, labels: Record<string, string> = {}): number {
  return samplesOf(families, sampleName, labels).reduce((sum, s) => sum + s.value, 0);
}

function findFamily(sampleName: string, families: Map<string, MetricFamily>): MetricFamily | undefined {
  for (const family of families.values()) {
    if (SUFFIXES[family.type].some((suffix) => family.name + suffix === sampleName)) return family;
  }
  return undefined;
}

/** A sample with no TYPE before it is untyped, a family of its own. */
function untypedFamily(sampleName: string, families: Map<string, MetricFamily>): MetricFamily {
  const family: MetricFamily = { name: sampleName, type: 'untyped', help: null, samples: [] };
  families.set(sampleName, family);
  return family;
}

function parseSample(line: string): Sample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) throw new Error('a sample must start with a metric name');
  const name = nameMatch[0];
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1);
    for (;;) {
      rest = rest.replace(/^\s*/, '');
      if (rest.startsWith('}')) break;
      const label = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"/.exec(rest);
      if (!label) throw new Error('a label must be name="value"');
      const labelName = label[1]!;
      if (!LABEL_NAME.test(labelName) || labelName.startsWith('__')) throw new Error(`"${labelName}" is not a label name`);
      if (labelName in labels) throw new Error(`label ${labelName} given twice`);
      rest = rest.slice(label[0].length);
      let value = '';
      for (;;) {
        const char = rest[0];
        if (char === undefined) throw new Error(`the value of label ${labelName} is not closed`);
        rest = rest.slice(1);
        if (char === '"') break;
        if (char === '\\') {
          const escaped = rest[0];
          rest = rest.slice(1);
          if (escaped === 'n') value += '\n';
          else if (escaped === '\\' || escaped === '"') value += escaped;
          else throw new Error(`"\\${escaped}" is not an escape in a label value`);
        } else value += char;
      }
      labels[labelName] = value;
      rest = rest.replace(/^\s*/, '');
      if (rest.startsWith(',')) rest = rest.slice(1);
      else if (!rest.startsWith('}')) throw new Error('labels must be separated by commas');
    }
    rest = rest.slice(1);
  }
  const parts = rest.trim().split(/\s+/);
  if (!/^\s/.test(rest) || parts.length < 1 || parts.length > 2 || parts[0] === '') throw new Error('a sample is name{labels} value [timestamp]');
  const value = parseValue(parts[0]!);
  if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) throw new Error(`"${parts[1]}" is not a timestamp`);
  return { name, labels, value };
}

/** As Go's strconv.ParseFloat reads it (what Prometheus uses): NaN and Inf in any case, prom-client writes "Nan". */
function parseValue(text: string): number {
  if (/^nan$/i.test(text)) return Number.NaN;
  const infinity = /^([-+]?)inf(inity)?$/i.exec(text);
  if (infinity) return infinity[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`"${text}" is not a number`);
  return Number(text);
}

/** HELP text escapes only backslash and line feed. */
function unescapeHelp(text: string): string {
  return text.replace(/\\([\\n])/g, (_whole, char: string) => (char === 'n' ? '\n' : char));
}

/** Per series (labels but le): buckets cumulative, le ascending and ending at +Inf, +Inf equal to _count, _sum present. */
function checkHistogram(family: MetricFamily): void {
  const series = new Map<string, { buckets: [number, number][]; sum?: number; count?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (sample.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${family.name}: a bucket without le`);
      entry.buckets.push([parseValue(le), sample.value]);
    } else if (sample.name.endsWith('_sum')) entry.sum = sample.value;
    else entry.count = sample.value;
  }
  for (const [key, { buckets, sum, count }] of series) {
    const where = `${family.name}${key}`;
    if (sum === undefined || count === undefined) throw new Error(`${where}: _sum or _count missing`);
    if (buckets.length === 0 || buckets.at(-1)![0] !== Number.POSITIVE_INFINITY) throw new Error(`${where}: no +Inf bucket last`);
    for (let i = 1; i < buckets.length; i++) {
      if (!(buckets[i]![0] > buckets[i - 1]![0])) throw new Error(`${where}: le not ascending`);
      if (buckets[i]![1] < buckets[i - 1]![1]) throw new Error(`${where}: buckets not cumulative`);
    }
    if (buckets.at(-1)![1] !== count) throw new Error(`${where}: the +Inf bucket (${buckets.at(-1)![1]}) is not _count (${count})`);
  }
}
