import assert from 'node:assert/strict';
import { it } from 'node:test';
import { csvCell } from './csv.js';

it('csvCell quotes what CSV needs quoted and defuses formula starts', () => {
  const cases: Array<[string | number | null, string]> = [
    [null, ''],
    [42, '42'],
    ['plain', 'plain'],
    ['=SUM(A1:A9)', "'=SUM(A1:A9)"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@cmd', "'@cmd"],
    ['\tlead', "'\tlead"],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['=HYPERLINK("x","y")', `"'=HYPERLINK(""x"",""y"")"`],
    ['a=b', 'a=b'],
  ];
  for (const [input, expected] of cases) assert.equal(csvCell(input), expected, String(input));
});
