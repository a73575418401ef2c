/* A stand-in for Windows' bcryptprimitives.dll, for running the Windows build under wine
 * in tests (tests/platforms.rs). Rust's standard library gets random numbers from its
 * ProcessPrng export (present on Windows 10 and later); Debian 12's wine 8.0 does not ship
 * the DLL, so this one forwards to BCryptGenRandom, which wine implements. Built without
 * a C runtime: zig cc -target x86_64-windows-gnu -shared -nostdlib ... -lbcrypt */

typedef int BOOL;
typedef unsigned char BYTE;
typedef unsigned long ULONG;
typedef unsigned long DWORD;
typedef long NTSTATUS;
typedef unsigned long long SIZE_T;

#define BCRYPT_USE_SYSTEM_PREFERRED_RNG 0x00000002

__declspec(dllimport) NTSTATUS BCryptGenRandom(void *algorithm, BYTE *buffer, ULONG length,
                                               ULONG flags);

BOOL DllMainCRTStartup(void *module, DWORD reason, void *reserved) {
    (void)module;
    (void)reason;
    (void)reserved;
    return 1;
}

__declspec(dllexport) BOOL ProcessPrng(BYTE *data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (BCryptGenRandom(0, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) {
            return 0;
        }
        data += chunk;
        length -= chunk;
    }
    return 1;
}
