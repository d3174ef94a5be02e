/** An error the sandbox answers with Salesforce's shape: an array of `{message, errorCode, fields?}`. */
export class SalesforceError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly fields: string[] = [],
  ) {
    super(message);
  }

  body() {
    return [
      {
        message: this.message,
        errorCode: this.errorCode,
        ...(this.fields.length ? { fields: this.fields } : {}),
      },
    ];
  }
}

/** A per-record error inside a collection result: `{statusCode, message, fields}`. */
export interface RecordError {
  statusCode: string;
  message: string;
  fields: string[];
}

export class RecordRefused extends Error {
  constructor(readonly error: RecordError) {
    super(error.message);
  }
}

export const refuse = (statusCode: string, message: string, fields: string[] = []) =>
  new RecordRefused({ statusCode, message, fields });
