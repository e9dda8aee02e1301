import assert from 'node:assert/strict';
import { acpFlagForVersion } from '../src/acp-flag.ts';

describe('gemini ACP flag by version', () => {
  it('gives --acp from 0.34.0 on, the first release with it', () => {
    for (const version of ['0.34.0', '0.34.1', '0.35.0-preview.1', '0.61.0', '1.0.0', '10.2.3']) assert.equal(acpFlagForVersion(version), '--acp', version);
  });

  it('gives --experimental-acp before 0.34.0, including its pre-releases', () => {
    for (const version of ['0.1.13', '0.26.0', '0.27.0', '0.33.9', '0.34.0-nightly.20260303.34f0c1538', '0.34.0-preview.0']) {
      assert.equal(acpFlagForVersion(version), '--experimental-acp', version);
    }
  });

  it('tells nothing from text that is not a version', () => {
    for (const text of ['', 'unknown', 'v0.61', '0.61']) assert.equal(acpFlagForVersion(text), undefined, text);
  });
});
