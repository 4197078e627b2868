/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The .bin indexes depmod writes (modules.dep.bin, modules.alias.bin, ...): kmod's trie
 * format 2.1, defined here and nowhere else: lib/index-read.c reads it and
 * lib/index-write.c writes it.
 *
 * A file is a 12-byte header and then the nodes of a compressed trie (a trie in which a
 * chain of single-child nodes without values is merged into one node's "prefix"). Every
 * number is a 32-bit unsigned big-endian integer.
 *
 *   offset 0   magic         0xB007F457 ("BOOTFAST")
 *          4   version       0x00020001 (major 2 in the high half, minor 1 in the low)
 *          8   root          node reference of the root node
 *
 * A node reference packs the node's file offset and the parts the node has:
 *
 *    31  30  29  28  27 ............................ 0
 *   +---+---+---+---+----------------------------------+
 *   | P | V | C | - |  offset of the node in the file  |    offset 0 = no node
 *   +---+---+---+---+----------------------------------+
 *   P: has a prefix   V: has values   C: has children
 *
 * A node is its parts, in this order, each present only when its flag is set:
 *
 *   P   prefix        bytes of the key after the edge that led here, then '\0'
 *   C   first, last   two bytes: the range of edge characters that is stored
 *       children      (last - first + 1) node references; child i hangs under the
 *                     character first + i; 0 for a character with no child
 *   V   count         number of values
 *       values        count times: priority, then the value bytes and '\0'
 *
 * The key of a node is the concatenation, from the root down, of each node's prefix and
 * the edge character under which the next node hangs:
 *
 *   root ""  --'a'-->  "sk" [ask]
 *            --'o'-->  "n" [on] --'c'--> "e" [once]
 *                               --'e'--> ""  [one]
 *
 * Values of one key are stored by ascending priority. Only 7-bit characters appear:
 * kmod's depmod refuses others and kmod's reader rejects child ranges past 127, so the
 * builder refuses them too, while the reader here accepts any byte.
 *
 * The order of nodes in the file is free, since references are absolute: kmod up to
 * v33 wrote children before their parent (post-order, root last), kmod 34 writes every
 * node before its children (pre-order, root first). The builder writes pre-order, byte
 * for byte as kmod 34 does; the reader only follows references, so it reads both.
 */
#ifndef LKM_INDEX_FORMAT_H
#define LKM_INDEX_FORMAT_H

#include <stdint.h>

#define INDEX_MAGIC 0xB007F457u
#define INDEX_VERSION_MAJOR 0x0002u
#define INDEX_VERSION_MINOR 0x0001u
#define INDEX_HEADER_SIZE 12u

#define NODE_PREFIX 0x80000000u
#define NODE_VALUES 0x40000000u
#define NODE_CHILDS 0x20000000u
#define NODE_MASK 0x0FFFFFFFu

/* Characters kmod can store; see the comment at the top. */
#define INDEX_CHAR_LIMIT 128u

/* Every number in the file is a 32-bit big-endian integer. */
static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

#endif
