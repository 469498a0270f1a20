/**
 * kafkajs says what failed, not which secret to change: the hint added to its log lines names the variable.
 */
import { describe, expect, it } from 'vitest';
import { kafkaSecurityHint } from '../../../../adapter/kafka/client.js';

describe('kafkaSecurityHint', () => {
  it('names KAFKA_TLS_CA for a broker certificate that does not verify', () => {
    for (const text of ['Connection error: unable to verify the first certificate', 'Connection error: self-signed certificate in certificate chain']) {
      expect(kafkaSecurityHint(text)).toMatch(/KAFKA_TLS_CA/);
    }
  });

  it('names KAFKA_TLS_CERT/KEY when the broker rejects (or wants) a client certificate', () => {
    expect(kafkaSecurityHint('Connection error: …:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate:…')).toMatch(/KAFKA_TLS_CERT and KAFKA_TLS_KEY/);
    expect(kafkaSecurityHint('Connection error: …:tlsv13 alert certificate required:…')).toMatch(/KAFKA_TLS_CERT and KAFKA_TLS_KEY/);
  });

  it('names the SASL secrets when the login is refused', () => {
    expect(kafkaSecurityHint('Response SaslAuthenticate(key: 36, version: 1) Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512')).toMatch(
      /KAFKA_SASL_USER, KAFKA_SASL_PASSWORD/,
    );
    expect(kafkaSecurityHint('SASL PLAIN authentication failed: Authentication failed: Invalid username or password')).toMatch(/KAFKA_SASL_USER/);
  });

  it('says nothing about other errors', () => {
    expect(kafkaSecurityHint('Connection error: connect ECONNREFUSED 127.0.0.1:9092')).toBeUndefined();
    expect(kafkaSecurityHint('The group is rebalancing, so a rejoin is needed')).toBeUndefined();
  });
});
