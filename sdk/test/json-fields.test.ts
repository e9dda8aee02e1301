import assert from 'node:assert/strict';
import { arrayAt, isRecord, numberAt, parseJson, recordAt, stringAt, stringsAt } from '@forge-core/sdk';

describe('json-fields: typed reads from untrusted JSON', () => {
  it('parses JSON, and answers undefined for anything else instead of throwing', () => {
    assert.deepEqual(parseJson('{"type":"result","n":[1]}'), { type: 'result', n: [1] });
    assert.equal(parseJson('null'), null);
    assert.equal(parseJson('Warning: not JSON'), undefined);
    assert.equal(parseJson('{"torn":'), undefined);
  });

  it('takes only objects for records, never null or a list', () => {
    assert.deepEqual([isRecord({}), isRecord(null), isRecord([]), isRecord('x')], [true, false, false, false]);
  });

  it('reads a field only when it has the type asked for, from a record that may be missing', () => {
    const line = { text: 'hi', count: 3, huge: Number.POSITIVE_INFINITY, nested: { a: 1 }, list: ['a', 2, 'b'], none: null };
    assert.deepEqual([stringAt(line, 'text'), stringAt(line, 'count'), stringAt(undefined, 'text')], ['hi', undefined, undefined]);
    assert.deepEqual([numberAt(line, 'count'), numberAt(line, 'huge'), numberAt(line, 'text')], [3, undefined, undefined]);
    assert.deepEqual([recordAt(line, 'nested'), recordAt(line, 'list'), recordAt(line, 'none')], [{ a: 1 }, undefined, undefined]);
    assert.deepEqual([arrayAt(line, 'list'), arrayAt(line, 'nested')], [['a', 2, 'b'], undefined]);
    assert.deepEqual([stringsAt(line, 'list'), stringsAt(line, 'text'), stringsAt(undefined, 'list')], [['a', 'b'], [], []]);
  });
});
