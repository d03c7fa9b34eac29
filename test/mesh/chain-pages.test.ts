import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ChainPages } from '../../host/mesh/nats/chain-pages.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { TestNode, tempDir } from '../hub/helpers.js';

const tmp = tempDir('fazt-chain-pages-');
const cartridge = Cartridge.open(join(tmp.dir, 'fazt.db'));
after(() => {
  cartridge.close();
  tmp.cleanup();
});

describe('ChainPages.resumeAfter: where publishing a chain resumes, given the newest page the stream holds', () => {
  const node = new TestNode(61);
  const forked = new TestNode(61);
  cartridge.addNode(node.identity.publicKey);
  node.append(4);
  forked.append(4, 'sensor.reading', 'sht31');
  cartridge.ingestBatch(node.batch(1, 2));
  cartridge.ingestBatch(node.batch(3, 4));
  const pages = new ChainPages(cartridge);

  it('after the page when this hub holds that checkpoint', () => {
    assert.equal(pages.resumeAfter(node.id, 2, node.batch(1, 2).head), 2);
    assert.equal(pages.resumeAfter(node.id, 4, node.batch(3, 4).head), 4);
  });

  it('from the start when this hub holds other entries there (a fork): its own version is published too', () => {
    assert.equal(pages.resumeAfter(node.id, 4, forked.batch(3, 4).head), 0);
    assert.equal(pages.resumeAfter(node.id, 2, forked.batch(1, 2).head), 0);
  });

  it('after the page when this hub is behind on the chain (the stream has what it holds)', () => {
    node.append(2);
    assert.equal(pages.resumeAfter(node.id, 6, node.batch(5, 6).head), 6);
  });
});

describe('ChainPages.after: what it hands the publisher is durable', () => {
  it('syncs the unsynced commits before it returns the pages', () => {
    const node = new TestNode(62);
    cartridge.addNode(node.identity.publicKey);
    node.append(2);
    cartridge.ingestBatch(node.batch(1, 2));
    cartridge.derived(() => cartridge.db.exec('CREATE TABLE percept_stand_in (x TEXT)'));
    assert.equal(cartridge.unsyncedPending, true);
    assert.equal(new ChainPages(cartridge).after(node.id, 0, 10).length, 1);
    assert.equal(cartridge.unsyncedPending, false);
  });
});
