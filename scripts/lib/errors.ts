// Typed failures of the scripts. Each carries a hint: the one thing to do next, which the
// single exit path (run.ts) prints under the message.

export class ScriptError extends Error {
  override name = 'ScriptError';
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** A command-line tool the scripts drive is not installed. */
export class ToolMissingError extends ScriptError {
  override name = 'ToolMissingError';
}

/** The Docker engine does not answer. */
export class DockerDownError extends ScriptError {
  override name = 'DockerDownError';
}

/** The container engine is one the scripts cannot drive: Podman, or another kind provider. */
export class UnsupportedEngineError extends ScriptError {
  override name = 'UnsupportedEngineError';
}

/** The k8s-pipe cluster, or its kubeconfig context, is not there. */
export class NoClusterError extends ScriptError {
  override name = 'NoClusterError';
}

/** A wait ran past its time limit. */
export class TimeoutError extends ScriptError {
  override name = 'TimeoutError';
}

/** An image could not be bundled, built or loaded. */
export class ImageError extends ScriptError {
  override name = 'ImageError';
}

/** The user declined a confirmation. */
export class CancelledError extends ScriptError {
  override name = 'CancelledError';
}

/** The command line has a flag the script does not know, or a bad value. */
export class UsageError extends ScriptError {
  override name = 'UsageError';
}

/** `npm run new-stage` was asked for a stage it cannot make; nothing was written. */
export class ScaffoldError extends ScriptError {
  override name = 'ScaffoldError';
}

/** The services do not build: a syntax or type error, each given with file:line. */
export class BuildError extends ScriptError {
  override name = 'BuildError';
}

/** The data volume could not be reached through a pod, or a file could not be placed or read there. */
export class VolumeError extends ScriptError {
  override name = 'VolumeError';
}

/** The canary listing did not come through the pipeline in time, or came through short. */
export class CanaryError extends ScriptError {
  override name = 'CanaryError';
}
