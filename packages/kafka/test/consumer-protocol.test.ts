import { AssignerProtocol } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from '../src/wire/consumer-protocol.js';
import { rangeAssign } from '../src/wire/range-assignor.js';
import { roundRobinAssign } from '../src/wire/round-robin-assignor.js';

describe('the consumer protocol encodings', () => {
  it('writes a subscription as version 0 bytes: INT16 version, INT32-counted INT16-length topics, empty user data', () => {
    expect([...encodeSubscription(['ab'])]).toEqual([0, 0, 0, 0, 0, 1, 0, 2, 0x61, 0x62, 0, 0, 0, 0]);
  });

  it('reads and writes what kafkajs writes and reads', () => {
    const fromKafkaJs = AssignerProtocol.MemberMetadata.encode({
      version: 0,
      topics: ['events', 'other'],
      userData: Buffer.alloc(0),
    });
    expect(decodeSubscription(fromKafkaJs)).toEqual(['events', 'other']);
    expect(AssignerProtocol.MemberMetadata.decode(encodeSubscription(['events']))?.topics).toEqual([
      'events',
    ]);

    const assignment = new Map([
      ['events', [0, 2]],
      ['other', [1]],
    ]);
    expect(AssignerProtocol.MemberAssignment.decode(encodeAssignment(assignment))?.assignment).toEqual({
      events: [0, 2],
      other: [1],
    });
    const kafkaJsAssignment = AssignerProtocol.MemberAssignment.encode({
      version: 0,
      assignment: { events: [3, 1] },
      userData: Buffer.alloc(0),
    });
    expect(decodeAssignment(kafkaJsAssignment)).toEqual(new Map([['events', [3, 1]]]));
  });

  it("reads a Java consumer's version 3 subscription (owned partitions, generation and rack appended)", () => {
    const javaV3 = Buffer.from([
      ...[0, 3], // version
      ...[0, 0, 0, 1, 0, 1, 0x74], // topics: ["t"]
      ...[0xff, 0xff, 0xff, 0xff], // user data: null
      ...[0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 1, 0, 0, 0, 2], // owned partitions: t [2]
      ...[0, 0, 0, 7], // generation id
      ...[0, 2, 0x72, 0x31], // rack id "r1"
    ]);
    expect(decodeSubscription(javaV3)).toEqual(['t']);
  });

  it('takes an empty assignment (a leader that gave the member nothing) as no partitions', () => {
    expect(decodeAssignment(Buffer.alloc(0))).toEqual(new Map());
  });
});

describe("Java's range assignor", () => {
  const members = (ids: string[], topics = ['t']) => ids.map((memberId) => ({ memberId, topics }));

  it('gives each member, in member id order, a contiguous range; the first ones one more', () => {
    const assignment = rangeAssign(members(['c-b', 'c-a', 'c-c']), new Map([['t', 4]]));
    expect(assignment.get('c-a')?.get('t')).toEqual([0, 1]);
    expect(assignment.get('c-b')?.get('t')).toEqual([2]);
    expect(assignment.get('c-c')?.get('t')).toEqual([3]);
  });

  it('splits each topic on its own (RangeAssignor javadoc: two members, two topics of three partitions)', () => {
    const assignment = rangeAssign(
      members(['C0', 'C1'], ['t0', 't1']),
      new Map([
        ['t0', 3],
        ['t1', 3],
      ]),
    );
    expect(assignment.get('C0')).toEqual(
      new Map([
        ['t0', [0, 1]],
        ['t1', [0, 1]],
      ]),
    );
    expect(assignment.get('C1')).toEqual(
      new Map([
        ['t0', [2]],
        ['t1', [2]],
      ]),
    );
  });

  it('gives members beyond the partition count nothing, and only subscribers a topic', () => {
    const assignment = rangeAssign(
      [
        { memberId: 'a', topics: ['t'] },
        { memberId: 'b', topics: ['t'] },
        { memberId: 'c', topics: ['u'] },
      ],
      new Map([['t', 1]]),
    );
    expect(assignment.get('a')?.get('t')).toEqual([0]);
    expect(assignment.get('b')?.get('t')).toEqual([]);
    expect(assignment.get('c')).toEqual(new Map());
  });
});

describe("kafkajs's round-robin assigner", () => {
  it('deals the partitions to the members sorted by id', () => {
    const assignment = roundRobinAssign(
      [
        { memberId: 'm2', topics: ['t'] },
        { memberId: 'm1', topics: ['t'] },
      ],
      new Map([['t', 5]]),
    );
    expect(assignment.get('m1')?.get('t')).toEqual([0, 2, 4]);
    expect(assignment.get('m2')?.get('t')).toEqual([1, 3]);
  });
});
