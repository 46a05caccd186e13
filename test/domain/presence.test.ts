import { expect } from 'chai';
import type { PresenceCommand } from '../../src/domain/presence/commands.js';
import type { OfflineReason, PresenceEvent } from '../../src/domain/presence/events.js';
import { presenceDecider } from '../../src/domain/presence/presence.js';
import { at, scenario } from './given-when-then.js';

const U = 'alice-id';
const THROTTLE_MS = 60_000;

const presence = scenario(presenceDecider);

const open = (connectionId: string, nodeId: string, atS: number): PresenceCommand => ({ kind: 'OpenConnection', userId: U, connectionId, nodeId, at: at(atS) });
const close = (connectionId: string, atS: number): PresenceCommand => ({ kind: 'CloseConnection', userId: U, connectionId, at: at(atS) });
const activity = (connectionId: string, nodeId: string, atS: number): PresenceCommand => ({
  kind: 'RecordActivity',
  userId: U,
  connectionId,
  nodeId,
  at: at(atS),
  throttleMs: THROTTLE_MS,
});
const announceOnline = (connectionId: string, nodeId: string, atS: number): PresenceCommand => ({
  kind: 'AnnounceOnline',
  userId: U,
  connectionId,
  nodeId,
  at: at(atS),
});
const announceOffline = (atS: number): PresenceCommand => ({ kind: 'AnnounceOffline', userId: U, at: at(atS) });
const sweep = (inactiveBeforeS: number, atS: number): PresenceCommand => ({
  kind: 'SweepInactive',
  userId: U,
  inactiveBefore: at(inactiveBeforeS),
  at: at(atS),
});
const closeNode = (nodeId: string, atS: number): PresenceCommand => ({ kind: 'CloseNodeConnections', userId: U, nodeId, at: at(atS) });

const opened = (connectionId: string, nodeId: string, atS: number): PresenceEvent => ({
  type: 'ConnectionOpened',
  data: { userId: U, connectionId, nodeId, at: at(atS) },
});
const closed = (connectionId: string, atS: number): PresenceEvent => ({ type: 'ConnectionClosed', data: { userId: U, connectionId, at: at(atS) } });
const online = (atS: number): PresenceEvent => ({ type: 'UserWentOnline', data: { userId: U, at: at(atS) } });
const offline = (reason: OfflineReason, atS: number): PresenceEvent => ({ type: 'UserWentOffline', data: { userId: U, reason, at: at(atS) } });
const recorded = (atS: number): PresenceEvent => ({ type: 'ActivityRecorded', data: { userId: U, at: at(atS) } });

/** One tab `c1` on node `n1`, opened at 0. */
const oneTab = [opened('c1', 'n1', 0), online(0)];
/** Tabs `c1` on `n1` and `c2` on `n2`. */
const twoNodes = [...oneTab, opened('c2', 'n2', 1)];

describe('presence decider', () => {
  describe('OpenConnection / CloseConnection', () => {
    it('the first connection brings the user online', () => {
      presence
        .given([])
        .when(open('c1', 'n1', 0))
        .then([opened('c1', 'n1', 0), online(0)]);
    });

    it('a second connection on another node only counts: online once', () => {
      presence
        .given(oneTab)
        .when(open('c2', 'n2', 1))
        .then([opened('c2', 'n2', 1)]);
    });

    it('a second tab on the same node only counts', () => {
      presence
        .given(oneTab)
        .when(open('c2', 'n1', 1))
        .then([opened('c2', 'n1', 1)]);
    });

    it('opening an already counted connection is a no-op', () => {
      presence
        .given(oneTab)
        .when(open('c1', 'n1', 5))
        .thenNothing();
    });

    it('closing one of two connections only closes it', () => {
      presence
        .given(twoNodes)
        .when(close('c1', 10))
        .then([closed('c1', 10)]);
    });

    it('closing the last connection takes the user offline (disconnected)', () => {
      presence
        .given([...twoNodes, closed('c1', 10)])
        .when(close('c2', 11))
        .then([closed('c2', 11), offline('disconnected', 11)]);
      presence
        .given(oneTab)
        .when(close('c1', 11))
        .then([closed('c1', 11), offline('disconnected', 11)]);
    });

    it('closing an unknown connection is a no-op', () => {
      presence.given(oneTab).when(close('nope', 10)).thenNothing();
      presence.given([]).when(close('c1', 10)).thenNothing();
    });

    it('closing a connection already closed is a no-op', () => {
      presence
        .given([...twoNodes, closed('c1', 10)])
        .when(close('c1', 11))
        .thenNothing();
    });

    it('closing a connection uncounted by a forced offline is a no-op', () => {
      presence
        .given([...twoNodes, offline('inactive', 100)])
        .when(close('c1', 101))
        .thenNothing();
    });

    it('replaying the emitted events counts connections across tabs and nodes', () => {
      presence
        .given([])
        .when(open('c1', 'n1', 0))
        .then([opened('c1', 'n1', 0), online(0)])
        .when(open('c2', 'n2', 1))
        .then([opened('c2', 'n2', 1)])
        .when(close('c1', 2))
        .then([closed('c1', 2)])
        .when(close('c1', 3))
        .thenNothing()
        .when(close('c2', 4))
        .then([closed('c2', 4), offline('disconnected', 4)])
        .when(open('c3', 'n1', 5))
        .then([opened('c3', 'n1', 5), online(5)]);
    });
  });

  describe('RecordActivity', () => {
    it('is throttled: activity within the throttle since the last one is not recorded', () => {
      presence
        .given(oneTab)
        .when(activity('c1', 'n1', 30))
        .thenNothing();
      presence
        .given([...oneTab, recorded(100)])
        .when(activity('c1', 'n1', 159))
        .thenNothing();
    });

    it('is recorded once the throttle elapsed', () => {
      presence
        .given(oneTab)
        .when(activity('c1', 'n1', 60))
        .then([recorded(60)]);
      presence
        .given([...oneTab, recorded(100)])
        .when(activity('c1', 'n1', 200))
        .then([recorded(200)]);
    });

    it('from a connection uncounted after a forced offline: re-opens it and brings the user online', () => {
      presence
        .given([...twoNodes, offline('inactive', 2000)])
        .when(activity('c1', 'n1', 2001))
        .then([opened('c1', 'n1', 2001), online(2001), recorded(2001)]);
    });

    it('from an uncounted connection while online: counts it, even within the throttle', () => {
      presence
        .given(oneTab)
        .when(activity('c2', 'n2', 5))
        .then([opened('c2', 'n2', 5), recorded(5)]);
    });

    it('replaying the emitted events applies the throttle to later activity', () => {
      presence
        .given(oneTab)
        .when(activity('c1', 'n1', 60))
        .then([recorded(60)])
        .when(activity('c1', 'n1', 61))
        .thenNothing()
        .when(activity('c1', 'n1', 120))
        .then([recorded(120)]);
    });
  });

  describe('AnnounceOnline (user_online)', () => {
    it('re-announces an online user and refreshes activity', () => {
      presence
        .given(oneTab)
        .when(announceOnline('c1', 'n1', 5))
        .then([recorded(5), online(5)]);
    });

    it('from an uncounted connection of an offline user: counts it and announces once', () => {
      presence
        .given([...oneTab, offline('logout', 10)])
        .when(announceOnline('c1', 'n1', 20))
        .then([opened('c1', 'n1', 20), online(20), recorded(20)]);
    });
  });

  describe('AnnounceOffline (user_offline, logout)', () => {
    it('takes an online user offline (logout)', () => {
      presence
        .given(twoNodes)
        .when(announceOffline(10))
        .then([offline('logout', 10)]);
    });

    it('an offline user: no events', () => {
      presence.given([]).when(announceOffline(10)).thenNothing();
      presence
        .given([...oneTab, closed('c1', 5), offline('disconnected', 5)])
        .when(announceOffline(10))
        .thenNothing();
    });

    it('replaying the logout resets the connections: closing the tabs afterwards is a no-op', () => {
      const afterLogout = presence
        .given(twoNodes)
        .when(announceOffline(10))
        .then([offline('logout', 10)]);
      afterLogout.when(close('c1', 11)).thenNothing();
      afterLogout.when(announceOffline(12)).thenNothing();
      afterLogout.when(open('c1', 'n1', 13)).then([opened('c1', 'n1', 13), online(13)]);
    });
  });

  describe('SweepInactive', () => {
    it('forces an inactive user offline', () => {
      presence
        .given(oneTab)
        .when(sweep(1800, 3600))
        .then([offline('inactive', 3600)]);
      presence
        .given([...oneTab, recorded(1000)])
        .when(sweep(1800, 3600))
        .then([offline('inactive', 3600)]);
    });

    it('leaves an active user online', () => {
      presence
        .given([...oneTab, recorded(2000)])
        .when(sweep(1800, 3600))
        .thenNothing();
      presence
        .given([...oneTab, recorded(1800)])
        .when(sweep(1800, 3600))
        .thenNothing();
    });

    it('connecting counts as activity', () => {
      presence
        .given([...oneTab, recorded(100), opened('c2', 'n2', 2000)])
        .when(sweep(1800, 3600))
        .thenNothing();
    });

    it('an offline user: no events', () => {
      presence.given([]).when(sweep(1800, 3600)).thenNothing();
      presence
        .given([...oneTab, offline('logout', 10)])
        .when(sweep(1800, 3600))
        .thenNothing();
    });

    it('replaying the sweep resets the connection count', () => {
      const afterSweep = presence
        .given(twoNodes)
        .when(sweep(1800, 3600))
        .then([offline('inactive', 3600)]);
      afterSweep.when(sweep(3600, 5400)).thenNothing();
      afterSweep.when(close('c2', 3601)).thenNothing();
      const state = afterSweep.state();
      expect(state.online).to.equal(false);
      expect(state.connections.size).to.equal(0);
    });
  });

  describe('CloseNodeConnections (node lost)', () => {
    const spread = [...twoNodes, opened('c3', 'n1', 2)];

    it("closes only that node's connections; still online while others remain", () => {
      presence
        .given(spread)
        .when(closeNode('n1', 10))
        .then([closed('c1', 10), closed('c3', 10)]);
    });

    it('offline (node_lost) when no connection is left', () => {
      presence
        .given([...spread, closed('c2', 5)])
        .when(closeNode('n1', 10))
        .then([closed('c1', 10), closed('c3', 10), offline('node_lost', 10)]);
      presence
        .given(oneTab)
        .when(closeNode('n1', 10))
        .then([closed('c1', 10), offline('node_lost', 10)]);
    });

    it('a node without connections of this user: no events', () => {
      presence.given(spread).when(closeNode('n9', 10)).thenNothing();
      presence.given([]).when(closeNode('n1', 10)).thenNothing();
    });

    it("replaying the closures leaves the other node's connections counted", () => {
      presence
        .given(spread)
        .when(closeNode('n1', 10))
        .then([closed('c1', 10), closed('c3', 10)])
        .when(closeNode('n1', 11))
        .thenNothing()
        .when(close('c2', 12))
        .then([closed('c2', 12), offline('disconnected', 12)]);
    });
  });
});
