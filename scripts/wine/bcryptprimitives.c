/*
 * bcryptprimitives.dll for Wine 8, for tests only.
 *
 * Go 1.24 and later take their random numbers from ProcessPrng, which
 * Windows 10 has in bcryptprimitives.dll. Wine 8 has no such DLL, so every
 * Go program dies at start there ("bcryptprimitives.dll not found"). This
 * one gives ProcessPrng over RtlGenRandom (advapi32's SystemFunction036),
 * which Wine has. It goes into the Wine prefix's system32: Go loads it from
 * the system directory only. Ferry's own builds never ship it.
 */
#include <windows.h>

BOOLEAN NTAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
	while (length > 0) {
		ULONG n = length > 0x40000000 ? 0x40000000 : (ULONG)length;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		length -= n;
	}
	return TRUE;
}
