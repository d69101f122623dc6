/*
 * bytes.h - little-endian byte codecs.  Every on-disk integer and float in
 * rs goes through these (never fwrite of a struct), so files are the same
 * on every host.  Floats are IEEE-754 binary32/binary64, stored as their
 * bit patterns.
 */
#ifndef RS_BYTES_H
#define RS_BYTES_H

#include <stdint.h>
#include <string.h>

static inline void
rs_put_le16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static inline void
rs_put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static inline void
rs_put_le64(unsigned char *p, uint64_t v)
{
	rs_put_le32(p, (uint32_t)v);
	rs_put_le32(p + 4, (uint32_t)(v >> 32));
}

static inline uint16_t
rs_get_le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static inline uint32_t
rs_get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static inline uint64_t
rs_get_le64(const unsigned char *p)
{
	return (uint64_t)rs_get_le32(p) | (uint64_t)rs_get_le32(p + 4) << 32;
}

static inline void
rs_put_f32(unsigned char *p, float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	rs_put_le32(p, u);
}

static inline float
rs_get_f32(const unsigned char *p)
{
	uint32_t u = rs_get_le32(p);
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

static inline void
rs_put_f64(unsigned char *p, double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	rs_put_le64(p, u);
}

static inline double
rs_get_f64(const unsigned char *p)
{
	uint64_t u = rs_get_le64(p);
	double d;

	memcpy(&d, &u, sizeof(d));
	return d;
}

#endif
