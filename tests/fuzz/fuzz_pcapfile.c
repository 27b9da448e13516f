/* fuzz_pcapfile.c: the scanner's pcap reader (tools/pcapfile.c) on
 * arbitrary files, against libpcap on the same bytes.  Whenever the
 * reader takes a file, it must hand out exactly the records libpcap
 * hands out (timestamps, lengths, bytes), then end where libpcap ends,
 * with libpcap's error text when libpcap fails.  The same input is also
 * read through pcapfile_open (a memfd), so the block reader's refills
 * are covered by inputs larger than a block.
 * fuzz-build: tools/pcapfile.c -Itools -lpcap */
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bytes.h"
#include "pcapfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}

/* Compare what pf yields with what libpcap reads from the same bytes. */
static void against_libpcap(const uint8_t *data, size_t size, struct pcapfile *pf,
			    struct bytes *view, bool from_file)
{
	FILE *f = fmemopen((void *)(uintptr_t)data, size, "rb");
	if (f == NULL)
		return;
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO,
							      errbuf);
	/* The reader took the file: libpcap must take it too. */
	check(pc != NULL);
	check(pcap_datalink(pc) == pf->dlt);
	for (;;) {
		struct pcap_pkthdr *hdr;
		const u_char *pd;
		int rc = pcap_next_ex(pc, &hdr, &pd);
		struct pcapfile_rec rec;
		enum pcapfile_result r = from_file ? pcapfile_next(pf, &rec)
						   : pcapfile_parse(pf, view, true, &rec);
		if (rc == 1) {
			check(r == PCAPFILE_RECORD);
			check(rec.caplen == hdr->caplen && rec.len == hdr->len);
			check(rec.data.len == hdr->caplen);
			check(rec.ts_sec == (int64_t)hdr->ts.tv_sec);
			check(rec.ts_usec == (int64_t)hdr->ts.tv_usec);
			check(hdr->caplen == 0 || memcmp(rec.data.ptr, pd, hdr->caplen) == 0);
			continue;
		}
		if (rc == PCAP_ERROR_BREAK) {
			check(r == PCAPFILE_END);
		} else {
			check(r == PCAPFILE_ERROR);
			check(strcmp(pf->err, pcap_geterr(pc)) == 0);
		}
		break;
	}
	pcap_close(pc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcapfile pf;
	struct bytes view = bytes_make(data, size);
	if (!pcapfile_init(&pf, &view))
		return 0;
	/* Whole input, parsed in place. */
	against_libpcap(data, size, &pf, &view, false);
	/* The same through a file and the block reader. */
	int fd = memfd_create("fuzz_pcapfile", 0);
	if (fd < 0)
		return 0;
	size_t done = 0;
	while (done < size) {
		ssize_t n = write(fd, &data[done], size - done);
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct pcapfile ff;
	if (done == size && pcapfile_open(&ff, path)) {
		against_libpcap(data, size, &ff, NULL, true);
		pcapfile_close(&ff);
	}
	close(fd);
	return 0;
}
