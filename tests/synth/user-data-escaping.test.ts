import { describe, expect, it } from 'vitest';
import { literalTemplateString } from '../../src/synth/compute';

describe('literalTemplateString', () => {
  it("escapes Terraform's template sequences so shell text reaches the instance verbatim", () => {
    expect(literalTemplateString('root="${STORM_ROOT:-/opt/storm}/$svc"')).toBe(
      'root="$${STORM_ROOT:-/opt/storm}/$svc"',
    );
    expect(literalTemplateString('%{ if x }')).toBe('%%{ if x }');
    expect(literalTemplateString('already $${literal}')).toBe('already $$${literal}');
    expect(literalTemplateString('#cloud-config\nruncmd: [echo $HOME]')).toBe('#cloud-config\nruncmd: [echo $HOME]');
  });
});
