export { ChatClient, type ChatClientOptions } from './client.js';
export { ChatSocket, type ConnectionState, type SocketEvents, type SocketOptions } from './socket-client.js';
export { RestClient, retryAfterMs, type ReadFilter, type RestOptions } from './rest-client.js';
export { ChatActionError, ChatApiError, ConnectionLostError } from './errors.js';
export { backoffDelay, type BackoffOptions } from './backoff.js';
export { systemClock, type Clock } from './clock.js';
export { tokenExpiry, tokenSubject } from './jwt.js';
export { TokenSource } from './tokens.js';
export { ERROR_CODES, SERVER_FRAME_ACTIONS, parseServerFrame } from './frames.js';
export type {
  AckData,
  ChatMessage,
  ErrorCode,
  FrameOf,
  GameOptions,
  NewMessageData,
  ServerFrame,
  ServerFrameAction,
  ServerFrameData,
  SocketLimits,
} from './frames.js';
export type { ActionData, ActionName, ClientAction, ClientFrame, InviteOptions } from './actions.js';
export type { BlockedUser, Chat, ChatAt, ChatPreview, HistoryEntry, Notification, Page, PageQuery } from './rest-types.js';
export type { Fetch, FetchResponse, WebSocketConstructor, WebSocketLike } from './platform.js';
