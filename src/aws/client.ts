/**
 * The CloudWatch Logs client the CLI uses. Region and endpoint come from the
 * flags, else the SDK's usual sources (AWS_REGION, AWS_ENDPOINT_URL, profile).
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { S3Client } from '@aws-sdk/client-s3';

/** Where to reach CloudWatch Logs. */
export interface LogsClientOptions {
  readonly region?: string;
  /** Endpoint URL, e.g. the moto emulator `http://127.0.0.1:5000`. */
  readonly endpoint?: string;
  /**
   * SDK attempts per call; `1` when the caller retries itself (the importer),
   * so that retries do not multiply.
   */
  readonly maxAttempts?: number;
}

/** A CloudWatch Logs client for `options`. */
export function createLogsClient(options: LogsClientOptions = {}): CloudWatchLogsClient {
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  return new CloudWatchLogsClient({
    ...(region === undefined ? {} : { region }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  });
}

/** An S3 client for the archive; path-style addressing when an endpoint is given (the emulator). */
export function createS3Client(options: LogsClientOptions = {}): S3Client {
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  return new S3Client({
    ...(region === undefined ? {} : { region }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint, forcePathStyle: true }),
  });
}
