import { type BrokerConnection, DEFAULT_REQUEST_TIMEOUT_MS } from './broker-connection.js';

/**
 * The classic group membership requests (KIP-848's consumer protocol aside), at versions every
 * Kafka from 2.6 to 4.x serves: JoinGroup v7, SyncGroup v5, Heartbeat v4, LeaveGroup v4, all
 * flexible. Each returns the broker's error code for the caller to act on; a lost connection rejects.
 */
const JOIN_GROUP = 11;
const HEARTBEAT = 12;
const LEAVE_GROUP = 13;
const SYNC_GROUP = 14;

/** The membership of a group generation that requests name. */
export interface GroupGeneration {
  groupId: string;
  generationId: number;
  memberId: string;
}

export interface JoinGroupRequest {
  groupId: string;
  /** Empty on a first join: the coordinator answers MEMBER_ID_REQUIRED with an id to join with. */
  memberId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  /** The protocols (assignors) this member supports, preferred first, with its metadata for each. */
  protocols: readonly { name: string; metadata: Uint8Array }[];
}

export interface JoinedMember {
  memberId: string;
  metadata: Buffer;
}

export interface JoinGroupResult {
  errorCode: number;
  generationId: number;
  /** The protocol (assignor) the coordinator chose, one every member supports. */
  protocolName: string | null;
  leader: string;
  memberId: string;
  /** Every member with its protocol metadata: given to the leader only, empty for the others. */
  members: JoinedMember[];
}

/** JoinGroup v7 (Kafka 2.6+): waits until every member rejoined (or the rebalance timeout passed). */
export async function joinGroup(
  connection: BrokerConnection,
  request: JoinGroupRequest,
): Promise<JoinGroupResult> {
  // The broker answers once every member rejoined, or the rebalance timeout passed.
  const answerWithinMs = request.rebalanceTimeoutMs + DEFAULT_REQUEST_TIMEOUT_MS;
  const reader = await connection.request(
    JOIN_GROUP,
    7,
    'JoinGroup response',
    (writer) => {
      writer.compactString(request.groupId);
      writer.int32(request.sessionTimeoutMs).int32(request.rebalanceTimeoutMs);
      writer.compactString(request.memberId).compactString(null); // no group instance id (not static)
      writer.compactString(request.protocolType);
      writer.compactArray(request.protocols, (w, { name, metadata }) =>
        w.compactString(name).compactBytes(metadata).tags(),
      );
      writer.tags();
    },
    answerWithinMs,
  );
  reader.int32(); // throttle time
  const errorCode = reader.int16();
  const generationId = reader.int32();
  reader.compactString(); // protocol type
  const protocolName = reader.compactString();
  const leader = reader.compactString() ?? '';
  const memberId = reader.compactString() ?? '';
  const members = reader.compactArray((r): JoinedMember => {
    const id = r.compactString() ?? '';
    r.compactString(); // group instance id
    const range = r.compactBytesRange();
    r.tags();
    return { memberId: id, metadata: range ? r.buffer.subarray(range[0], range[1]) : Buffer.alloc(0) };
  });
  reader.tags();
  return { errorCode, generationId, protocolName, leader, memberId, members };
}

export interface SyncGroupResult {
  errorCode: number;
  /** This member's assignment, in the protocol type's encoding. */
  assignment: Buffer;
}

/**
 * SyncGroup v5 (Kafka 2.6+): the leader sends every member's assignment, the others none; each
 * gets its own back once the leader's has come.
 */
export async function syncGroup(
  connection: BrokerConnection,
  generation: GroupGeneration,
  protocolType: string,
  protocolName: string,
  assignments: readonly { memberId: string; assignment: Uint8Array }[],
  rebalanceTimeoutMs: number,
): Promise<SyncGroupResult> {
  // A follower's answer waits for the leader's SyncGroup, within the group's rebalance timeout.
  const answerWithinMs = rebalanceTimeoutMs + DEFAULT_REQUEST_TIMEOUT_MS;
  const reader = await connection.request(
    SYNC_GROUP,
    5,
    'SyncGroup response',
    (writer) => {
      writer.compactString(generation.groupId).int32(generation.generationId);
      writer.compactString(generation.memberId).compactString(null);
      writer.compactString(protocolType).compactString(protocolName);
      writer.compactArray(assignments, (w, { memberId, assignment }) =>
        w.compactString(memberId).compactBytes(assignment).tags(),
      );
      writer.tags();
    },
    answerWithinMs,
  );
  reader.int32(); // throttle time
  const errorCode = reader.int16();
  reader.compactString(); // protocol type
  reader.compactString(); // protocol name
  const range = reader.compactBytesRange();
  reader.tags();
  return { errorCode, assignment: range ? reader.buffer.subarray(range[0], range[1]) : Buffer.alloc(0) };
}

/** Heartbeat v4 (Kafka 2.4+): REBALANCE_IN_PROGRESS tells the member to rejoin. */
export async function heartbeat(connection: BrokerConnection, generation: GroupGeneration): Promise<number> {
  const reader = await connection.request(HEARTBEAT, 4, 'Heartbeat response', (writer) =>
    writer
      .compactString(generation.groupId)
      .int32(generation.generationId)
      .compactString(generation.memberId)
      .compactString(null)
      .tags(),
  );
  reader.int32(); // throttle time
  const errorCode = reader.int16();
  reader.tags();
  return errorCode;
}

/**
 * LeaveGroup v4 (Kafka 2.4+) of one member: the group rebalances at once instead of after the
 * session timeout. The member's own error (UNKNOWN_MEMBER_ID: already gone) wins over none.
 */
export async function leaveGroup(
  connection: BrokerConnection,
  groupId: string,
  memberId: string,
): Promise<number> {
  const reader = await connection.request(LEAVE_GROUP, 4, 'LeaveGroup response', (writer) => {
    writer.compactString(groupId);
    writer.compactArray([memberId], (w, id) => w.compactString(id).compactString(null).tags());
    writer.tags();
  });
  reader.int32(); // throttle time
  let errorCode = reader.int16();
  reader.compactArray((r) => {
    r.compactString(); // member id
    r.compactString(); // group instance id
    const memberError = r.int16();
    r.tags();
    if (errorCode === 0) errorCode = memberError;
  });
  reader.tags();
  return errorCode;
}
