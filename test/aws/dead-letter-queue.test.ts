import { describe, expect, it } from 'vitest';
import {
  POISON_PAYLOAD_BYTES,
  POISON_RECORD_KIND,
  poisonRecord,
  readDeadLetter,
} from '../../src/aws/dead-letter-queue.ts';

describe('poison records', () => {
  it('keeps a small payload whole, replayable', () => {
    const event = { awslogs: { data: 'not base64!' } };

    const record = poisonRecord(event, 'not-base64', 'awslogs.data is not base64', {
      now: 0,
      requestId: 'r1',
    });

    expect(record).toEqual({
      kind: POISON_RECORD_KIND,
      reason: 'not-base64',
      detail: 'awslogs.data is not base64',
      receivedAt: '1970-01-01T00:00:00.000Z',
      requestId: 'r1',
      payload: JSON.stringify(event),
      payloadBytes: JSON.stringify(event).length,
      truncated: false,
    });
    expect(readDeadLetter(JSON.stringify(record))).toEqual({ kind: 'poison', record, event });
  });

  it('cuts a large payload to the bound and marks it unreplayable', () => {
    const event = { awslogs: { data: 'A'.repeat(300_000) } };

    const record = poisonRecord(event, 'not-gzip', 'x');

    expect(Buffer.byteLength(record.payload)).toBe(POISON_PAYLOAD_BYTES);
    expect(record).toMatchObject({ truncated: true, payloadBytes: 300_000 + 23 });
    expect(readDeadLetter(JSON.stringify(record))).toEqual({ kind: 'poison', record });
  });
});

describe('readDeadLetter', () => {
  it('recognises a Lambda async on-failure record and returns the original event', () => {
    const original = { awslogs: { data: 'H4sI' } };
    const body = JSON.stringify({
      version: '1.0',
      timestamp: '2026-11-21T00:00:00.000Z',
      requestContext: {
        requestId: 'r',
        functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST',
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      },
      requestPayload: original,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: {
        errorType: 'PublishFailedError',
        errorMessage: '1 alert(s) not published',
      },
    });

    expect(readDeadLetter(body)).toEqual({
      kind: 'invocation-failure',
      event: original,
      condition: 'RetriesExhausted',
    });
  });

  it('recognises a Kinesis event source mapping on-failure record by its KinesisBatchInfo', () => {
    const batch = {
      shardId: 'shardId-000000000001',
      startSequenceNumber: '49601189658422359378836298521827638475320189012309704722',
      endSequenceNumber: '49601189658422359378836298521827638475320189012309704799',
      approximateArrivalOfFirstRecord: '2026-11-14T00:13:49.717Z',
      approximateArrivalOfLastRecord: '2026-11-14T00:13:50.717Z',
      batchSize: 100,
      streamArn: 'arn:aws:kinesis:us-west-2:123456789012:stream/tunnelwatch',
    };
    const record = {
      requestContext: {
        requestId: 'c9b8fa9f',
        functionArn: 'arn:aws:lambda:us-west-2:123456789012:function:f',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: '2026-11-14T00:13:49.717Z',
      KinesisBatchInfo: batch,
    };

    expect(readDeadLetter(JSON.stringify(record))).toEqual({
      kind: 'kinesis-batch-failure',
      batch: {
        shardId: batch.shardId,
        startSequenceNumber: batch.startSequenceNumber,
        endSequenceNumber: batch.endSequenceNumber,
        streamArn: batch.streamArn,
        batchSize: 100,
      },
      condition: 'RetryAttemptsExhausted',
    });
    const broken = { ...record, KinesisBatchInfo: { ...batch, shardId: 7 } };
    expect(readDeadLetter(JSON.stringify(broken))).toMatchObject({
      kind: 'unrecognised',
      why: expect.stringContaining('KinesisBatchInfo'),
    });
  });

  it.each([['{'], ['"text"'], ['{"hello":1}'], [undefined]])('calls %j unrecognised', (body) => {
    expect(readDeadLetter(body).kind).toBe('unrecognised');
  });
});
