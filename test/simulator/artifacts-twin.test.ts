import { createHash } from 'node:crypto';
import { ArtifactsTwin, crc64NvmeBase64, objectOf } from '../../simulator/twin/artifacts';
import { WireRequest } from '../../simulator/transport';

const head = (key: string): WireRequest => ({
  method: 'HEAD', hostname: 'models.s3.us-east-1.amazonaws.com', path: `/${key}`, query: {}, headers: { 'x-amz-checksum-mode': 'ENABLED' }, body: new Uint8Array(),
} as unknown as WireRequest);

describe('the S3 twin keeps the checksums S3 keeps for each kind of upload', () => {
  test('CRC-64/NVME: the catalogue check value for "123456789" (0xAE8B14860A799888), and the empty input', async () => {
    expect(Buffer.from(await crc64NvmeBase64('123456789'), 'base64').toString('hex')).toBe('ae8b14860a799888');
    expect(Buffer.from(await crc64NvmeBase64(''), 'base64').toString('hex')).toBe('0000000000000000');
  });

  test('single part with SHA-256: FULL_OBJECT SHA-256; multipart with CRC64NVME: FULL_OBJECT CRC64NVME; multipart with SHA-256: COMPOSITE', async () => {
    const twin = new ArtifactsTwin([
      await objectOf('models', 'a/model.tar.gz', 'model a'),
      await objectOf('models', 'b/model.tar.gz', 'model b', 'multipart-crc64nvme'),
      await objectOf('models', 'c/model.tar.gz', 'model c', 'multipart-sha256'),
    ], []);
    const a = await twin.handleS3(head('a/model.tar.gz'));
    expect(a.headers).toMatchObject({ 'x-amz-checksum-type': 'FULL_OBJECT' });
    expect(Buffer.from(a.headers['x-amz-checksum-sha256'], 'base64').toString('hex')).toBe(createHash('sha256').update('model a').digest('hex'));
    const b = await twin.handleS3(head('b/model.tar.gz'));
    expect(b.headers).toEqual(expect.objectContaining({ 'x-amz-checksum-crc64nvme': await crc64NvmeBase64('model b'), 'x-amz-checksum-type': 'FULL_OBJECT' }));
    expect(b.headers).not.toHaveProperty('x-amz-checksum-sha256');
    const c = await twin.handleS3(head('c/model.tar.gz'));
    expect(c.headers['x-amz-checksum-type']).toBe('COMPOSITE');
    expect(c.headers['x-amz-checksum-sha256']).toMatch(/^[A-Za-z0-9+/]{43}=-8$/);
  });

  test('an overwritten object answers its new checksums and is marked replaced', async () => {
    const twin = new ArtifactsTwin([await objectOf('models', 'b/model.tar.gz', 'model b', 'multipart-crc64nvme')], []);
    twin.replace(await objectOf('models', 'b/model.tar.gz', 'other content', 'multipart-crc64nvme'));
    expect((await twin.handleS3(head('b/model.tar.gz'))).headers['x-amz-checksum-crc64nvme']).toBe(await crc64NvmeBase64('other content'));
    expect(twin.objectAt('s3://models/b/model.tar.gz')?.tampered).toBe(true);
  });

  test('ListObjectsV2 lists the keys under a prefix', async () => {
    const twin = new ArtifactsTwin([await objectOf('models', 'b/model.tar.gz', 'model b')], []);
    const list = (prefix: string) => twin.handleS3({ method: 'GET', hostname: 'models.s3.us-east-1.amazonaws.com', path: '/', query: { 'list-type': '2', prefix }, headers: {}, body: new Uint8Array() } as unknown as WireRequest);
    expect((await list('b/model.tar.gz')).body).toContain('<KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated><Contents><Key>b/model.tar.gz</Key></Contents>');
    expect((await list('a/model.tar.gz')).body).toContain('<KeyCount>0</KeyCount>');
  });
});
