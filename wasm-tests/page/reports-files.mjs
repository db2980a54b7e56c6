// DMARC aggregate reports for the page tests and the page benchmark, made here: the XML, a
// .xml.gz (node:zlib) and a .zip with one member (stored deflated, written by hand: Node has no
// zip writer, and a zip of one member is a local header, the data and a central directory).
import { deflateRawSync, gzipSync } from 'node:zlib';

/** An aggregate report (RFC 7489 Appendix C) with `rows` of [ip, count, pass]. */
export function aggregateXml({ org = 'google.com', reportId = 'r-1', begin = 1774915200, rows }) {
  const records = rows.map(([ip, count, pass]) => `  <record>
    <row><source_ip>${ip}</source_ip><count>${count}</count>
      <policy_evaluated><disposition>none</disposition><dkim>${pass ? 'pass' : 'fail'}</dkim><spf>${pass ? 'pass' : 'fail'}</spf></policy_evaluated></row>
    <identifiers><header_from>example.com</header_from></identifiers>
    <auth_results>${pass ? '<dkim><domain>example.com</domain><result>pass</result></dkim>' : ''}<spf><domain>${pass ? 'example.com' : 'forger.example'}</domain><result>${pass ? 'pass' : 'fail'}</result></spf></auth_results>
  </record>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<feedback>
  <report_metadata><org_name>${org}</org_name><email>dmarc@${org}</email><report_id>${reportId}</report_id>
    <date_range><begin>${begin}</begin><end>${begin + 86399}</end></date_range></report_metadata>
  <policy_published><domain>example.com</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp><pct>100</pct></policy_published>
${records}
</feedback>
`;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A zip archive holding `name` with `text`, deflated. */
export function zipOne(name, text) {
  const data = Buffer.from(text);
  const packed = deflateRawSync(data);
  const fileName = Buffer.from(name);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(0, 6);
  local.writeUInt16LE(8, 8); local.writeUInt32LE(0, 10); local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(packed.length, 18); local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(fileName.length, 26); local.writeUInt16LE(0, 28);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0, 8); central.writeUInt16LE(8, 10); central.writeUInt32LE(0, 12);
  central.writeUInt32LE(crc, 16); central.writeUInt32LE(packed.length, 20); central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  central.writeUInt32LE(0, 42);
  const directoryOffset = local.length + fileName.length + packed.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(1, 8); end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fileName.length, 12); end.writeUInt32LE(directoryOffset, 16);
  return Buffer.concat([local, fileName, packed, central, fileName, end]);
}

export const gzip = (text) => gzipSync(Buffer.from(text));

/**
 * Drops files on `selector` in the page as a reader's drag and drop does: a DataTransfer with
 * File objects, then dragover and drop events.
 */
export async function dropFiles(page, selector, files) {
  const encoded = files.map(({ name, bytes }) => ({ name, data: Buffer.from(bytes).toString('base64') }));
  await page.locator(selector).evaluate((zone, list) => {
    const transfer = new DataTransfer();
    for (const { name, data } of list) {
      const bytes = Uint8Array.from(atob(data), (character) => character.charCodeAt(0));
      transfer.items.add(new File([bytes], name));
    }
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, encoded);
}
