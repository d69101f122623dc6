/*
 * banned.h - functions that are too easy to misuse.  Including this header
 * turns a call to any of them into a compile error (the idea of git's
 * banned.h).  Use snprintf, memcpy with a known length, strtol/strtoull
 * with end-pointer checks, and the rs_parse_* helpers instead.
 */
#ifndef RS_BANNED_H
#define RS_BANNED_H

#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef atol
#define atol(x) BANNED(atol)
#undef gets
#define gets(x) BANNED(gets)

#endif
