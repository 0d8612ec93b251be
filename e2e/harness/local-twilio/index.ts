export { LOCAL_TWILIO_OPERATIONS, LocalTwilio, startLocalTwilio } from './server.ts';
export type { LocalTwilioOperation, LocalTwilioOptions, StoredMessage, TwilioFault, TwilioFaultAction, TwilioRecordedRequest } from './server.ts';
export { checkCreate, checkList } from './validator.ts';
