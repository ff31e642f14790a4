import { NotifyError, toMessageAttributes, toPublishInput, toSnsMessage, toSnsSubject } from '../../shared/notify';

describe('toSnsSubject', () => {
  it.each([
    ['plain ASCII is kept', 'wicked prod: deployment d-1 stuck', 'wicked prod: deployment d-1 stuck'],
    ['non-ASCII characters become ?', 'wicked dev: déploiement → échoué', 'wicked dev: d?ploiement ? ?chou?'],
    ['line breaks and tabs become one space', 'first\r\nsecond\tthird', 'first second third'],
    ['control characters become ?', 'a\u0007b', 'a?b'],
    ['leading blanks are dropped', '   subject', 'subject'],
    ['99 characters are kept', 'x'.repeat(99), 'x'.repeat(99)],
    ['100 characters are cut to 99 with an ellipsis', 'y'.repeat(100), `${'y'.repeat(96)}...`],
    ['blank text gives no subject', ' \n\t ', undefined],
  ])('%s', (_case, input, expected) => {
    expect(toSnsSubject(input)).toBe(expected);
  });

  it('never exceeds the limit nor leaves ASCII, whatever the input', () => {
    for (const input of ['é'.repeat(300), `\n${'z'.repeat(500)}`, '😀'.repeat(80)]) {
      const subject = toSnsSubject(input) ?? '';
      expect(subject.length).toBeLessThan(100);
      expect(subject).toMatch(/^[\x20-\x7e]*$/);
    }
  });
});

describe('toMessageAttributes', () => {
  it('turns every non-empty attribute into a String attribute', () => {
    expect(toMessageAttributes({ env: 'prod', outcome: 'failed', 'deployment.id': 'd-1', empty: '' })).toEqual({
      env: { DataType: 'String', StringValue: 'prod' },
      outcome: { DataType: 'String', StringValue: 'failed' },
      'deployment.id': { DataType: 'String', StringValue: 'd-1' },
    });
  });

  it.each(['AWS.env', 'amazon.x', '.env', 'env.', 'a..b', 'with space', 'é', ''])('refuses the name %j with INVALID_ATTRIBUTE', (name) => {
    expect(() => toMessageAttributes({ [name]: 'v' })).toThrow(expect.objectContaining({ code: 'INVALID_ATTRIBUTE', message: expect.stringContaining(JSON.stringify(name)) }));
  });

  it('refuses more than ten attributes with TOO_MANY_ATTRIBUTES, naming how many it received', () => {
    const attributes = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, 'v']));
    expect(() => toMessageAttributes(attributes)).toThrow(NotifyError);
    expect(() => toMessageAttributes(attributes)).toThrow('received 11');
  });
});

describe('toSnsMessage and toPublishInput', () => {
  it('keeps a short message and names an empty one', () => {
    expect(toSnsMessage('it broke')).toBe('it broke');
    expect(toSnsMessage('')).toBe('(no message)');
  });

  it('cuts a message above the SNS size limit on a character boundary', () => {
    const message = toSnsMessage('ü'.repeat(200_000));
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(240 * 1024);
    expect(message).toMatch(/\[truncated: 400000 bytes\]$/);
    expect(message).not.toContain('\uFFFD');
  });

  it('builds the publish input with topic, subject, message and attributes', () => {
    expect(toPublishInput('arn:aws:sns:eu-west-1:1:t', { subject: 'wicked dev:\nstuck', message: 'm', attributes: { env: 'dev', outcome: 'stuck' } })).toEqual({
      TopicArn: 'arn:aws:sns:eu-west-1:1:t',
      Subject: 'wicked dev: stuck',
      Message: 'm',
      MessageAttributes: { env: { DataType: 'String', StringValue: 'dev' }, outcome: { DataType: 'String', StringValue: 'stuck' } },
    });
    expect(toPublishInput('t', { subject: '', message: 'm', attributes: {} })).not.toHaveProperty('Subject');
  });
});
