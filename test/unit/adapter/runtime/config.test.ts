import { describe, expect, it } from 'vitest';
import { parseAdapterConfig, parseCeOverrides, parseDeliverySpec } from '../../../../adapter/runtime/config.js';
import { ConfigError } from '../../../../lib/errors.js';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseAdapterConfig', () => {
  it('reads the whole env contract', () => {
    const cfg = parseAdapterConfig({
      K_SINK: 'http://sink.default.svc.cluster.local/path',
      K_CE_OVERRIDES: '{"extensions":{"team":"payments","tier":"1"}}',
      K_SINK_TIMEOUT: '7',
      K_DELIVERY:
        '{"retry":5,"backoffPolicy":"linear","backoffDelay":"PT0.5S","timeout":"PT2S","deadLetterSinkUri":"http://dls.default.svc/"}',
      NAMESPACE: 'ns1',
      NAME: 'src1',
      K_SOURCE_CONFIG: '{"schedule":"* * * * *"}',
      PORT: '9090',
      POD_IP: '127.0.0.42',
      BIND_ADDRESS: '127.0.0.1',
      LOG_LEVEL: 'debug',
      KAFKA_SASL_USER: 'u',
    });
    expect(cfg.sink).toBe('http://sink.default.svc.cluster.local/path');
    expect(cfg.ceOverrides).toEqual({ team: 'payments', tier: '1' });
    // delivery.timeout wins over K_SINK_TIMEOUT: it is the per-attempt timeout the user wrote on the source
    expect(cfg.timeoutMs).toBe(2000);
    expect(cfg.delivery).toEqual({
      retry: 5,
      backoffPolicy: 'linear',
      backoffDelayMs: 500,
      maxDelayMs: 60_000,
      deadLetterUri: 'http://dls.default.svc/',
    });
    expect(cfg.namespace).toBe('ns1');
    expect(cfg.name).toBe('src1');
    expect(cfg.sourceConfig).toEqual({ schedule: '* * * * *' });
    expect(cfg.port).toBe(9090);
    expect(cfg.bindAddress).toBe('127.0.0.42');
    expect(cfg.logLevel).toBe('debug');
    expect(cfg.secrets).toEqual({ KAFKA_SASL_USER: 'u' });
  });

  it('applies documented defaults', () => {
    const cfg = parseAdapterConfig({});
    expect(cfg.sink).toBeUndefined();
    expect(cfg.timeoutMs).toBe(30_000);
    expect(cfg.delivery).toEqual({ retry: 3, backoffPolicy: 'exponential', backoffDelayMs: 200, maxDelayMs: 60_000 });
    expect(cfg.port).toBe(8080);
    expect(cfg.bindAddress).toBe('0.0.0.0');
    expect(cfg.ceOverrides).toEqual({});
  });

  it('uses K_SINK_TIMEOUT (seconds) when the delivery spec has no timeout', () => {
    expect(parseAdapterConfig({ K_SINK_TIMEOUT: '1.5' }).timeoutMs).toBe(1500);
    expect(configError(() => parseAdapterConfig({ K_SINK_TIMEOUT: 'soon' })).message).toMatch(/^K_SINK_TIMEOUT:/);
    expect(configError(() => parseAdapterConfig({ K_SINK_TIMEOUT: '0' })).message).toMatch(/^K_SINK_TIMEOUT:/);
  });

  it('names the variable for a malformed K_CE_OVERRIDES', () => {
    const err = configError(() => parseAdapterConfig({ K_CE_OVERRIDES: '{"extensions":' }));
    expect(err.message).toMatch(/^K_CE_OVERRIDES: is not valid JSON/);
    expect(err.context.variable).toBe('K_CE_OVERRIDES');
  });

  it('rejects a relative or non-http K_SINK', () => {
    expect(configError(() => parseAdapterConfig({ K_SINK: '/relative' })).message).toMatch(/^K_SINK: .*absolute/);
    expect(configError(() => parseAdapterConfig({ K_SINK: 'ftp://x/' })).message).toMatch(/^K_SINK: scheme/);
  });

  it('rejects a sink and a bus together', () => {
    const err = configError(() =>
      parseAdapterConfig({ K_SINK: 'http://a/', K_EVENT_BUS_CONFIG: '{"backend":"nats","topic":"t","nats":{"url":"nats://x"}}' }),
    );
    expect(err.message).toMatch(/K_EVENT_BUS_CONFIG/);
  });

  it('parses the bus config and takes its secret from the environment', () => {
    const cfg = parseAdapterConfig({
      K_EVENT_BUS_CONFIG: '{"backend":"nats","topic":"ns-src","nats":{"url":"nats://127.0.0.1:4222","stream":"s"}}',
      BUS_NATS_TOKEN: 'tok',
    });
    expect(cfg.eventBus).toEqual({ backend: 'nats', topic: 'ns-src', nats: { url: 'nats://127.0.0.1:4222', stream: 's', token: 'tok' } });
    expect(configError(() => parseAdapterConfig({ K_EVENT_BUS_CONFIG: '{nope' })).message).toMatch(/^K_EVENT_BUS_CONFIG:/);
  });

  it('reads WATCH_NAMESPACES (empty = all) and names it when an entry is not a namespace', () => {
    expect(parseAdapterConfig({}).watchNamespaces).toEqual([]);
    expect(parseAdapterConfig({ WATCH_NAMESPACES: 'b, a' }).watchNamespaces).toEqual(['a', 'b']);
    expect(configError(() => parseAdapterConfig({ WATCH_NAMESPACES: 'a,,b' })).message).toMatch(/WATCH_NAMESPACES/);
  });

  it('rejects a K_CA_CERTS without a certificate, a bad PORT and LOG_LEVEL', () => {
    expect(configError(() => parseAdapterConfig({ K_CA_CERTS: 'hello' })).message).toMatch(/^K_CA_CERTS:/);
    expect(configError(() => parseAdapterConfig({ PORT: '99999' })).message).toMatch(/^PORT:/);
    expect(configError(() => parseAdapterConfig({ LOG_LEVEL: 'loud' })).message).toMatch(/^LOG_LEVEL:/);
    expect(configError(() => parseAdapterConfig({ K_SOURCE_CONFIG: '{' })).message).toMatch(/^K_SOURCE_CONFIG:/);
  });
});

describe('parseCeOverrides', () => {
  it('accepts an absent or empty value', () => {
    expect(parseCeOverrides(undefined)).toEqual({});
    expect(parseCeOverrides('{}')).toEqual({});
  });
  it.each([
    ['[]', /must be a JSON object/],
    ['{"ext":{}}', /unknown field/],
    ['{"extensions":[]}', /^K_CE_OVERRIDES\.extensions:/],
    ['{"extensions":{"Bad-Name":"x"}}', /^K_CE_OVERRIDES\.extensions\.Bad-Name: is not a valid CloudEvents extension name/],
    ['{"extensions":{"source":"x"}}', /would replace a CloudEvents context attribute/],
    ['{"extensions":{"n":1}}', /must be a string/],
    ['{"extensions":{"n":"a\\nb"}}', /control characters/],
  ])('rejects %s naming the field', (raw, pattern) => {
    expect(configError(() => parseCeOverrides(raw)).message).toMatch(pattern);
  });
});

describe('parseDeliverySpec', () => {
  it.each([
    [{ retry: -1 }, /K_DELIVERY\.retry/],
    [{ retry: 1.5 }, /K_DELIVERY\.retry/],
    [{ backoffPolicy: 'fibonacci' }, /K_DELIVERY\.backoffPolicy/],
    [{ backoffDelay: '200ms' }, /K_DELIVERY\.backoffDelay: "200ms" is not an ISO-8601 duration/],
    [{ timeout: 'PT0S' }, /K_DELIVERY\.timeout/],
    [{ deadLetterSinkUri: 'nope' }, /K_DELIVERY\.deadLetterSinkUri/],
    [{ deadLetterSink: { uri: 'http://x' } }, /unresolved Destination/],
    [{ retries: 3 }, /unknown field\(s\) retries/],
  ])('rejects %j', (spec, pattern) => {
    expect(configError(() => parseDeliverySpec(spec)).message).toMatch(pattern);
  });
});
