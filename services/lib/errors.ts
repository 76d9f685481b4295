// Typed errors: each carries what the single error handler, or the code that catches it, needs
// to answer or record it without guessing from message text.

export class PipeError extends Error {
  override name = 'PipeError';
}

/** A setting is missing or malformed; the process cannot start. */
export class ConfigError extends PipeError {
  override name = 'ConfigError';
}

/** A client sent something we refuse; `status` is the HTTP answer. */
export class HttpError extends PipeError {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** The api answered in a way that retrying will not change (a 4xx). */
export class RejectedError extends PipeError {
  override name = 'RejectedError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The stage is stopping: the batch in hand is left where it is, to be resumed. */
export class StoppedError extends PipeError {
  override name = 'StoppedError';
}

/** A batch's outcomes do not account for every input line, so it must not be declared done. */
export class IncompleteBatchError extends PipeError {
  override name = 'IncompleteBatchError';
}

/** A batch failed; `progressed` says whether this attempt still moved it forward. */
export class BatchError extends PipeError {
  override name = 'BatchError';
  constructor(
    message: string,
    readonly progressed: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** getdata could not make a listing; `message` says why. */
export class ListingError extends PipeError {
  override name = 'ListingError';
}

/** The pipeline definition (services/lib/pipeline.ts) does not hang together. */
export class PipelineError extends PipeError {
  override name = 'PipelineError';
}
