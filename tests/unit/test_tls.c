/* test_tls.c: unit tests of the TLS record layer and ClientHello parser
 * (daemon/core/tls.c): build-then-parse round trips, every refusal, real
 * ClientHellos from /work/shared/pcaps as annotated hex fixtures checked
 * against the tshark truth, records of every size, splits at every
 * position, and the truncation sweep. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tls.h"
#include "tls_build.h"

#define BUF_LEN 70000

/* ---- real ClientHellos: TCP payloads (tshark -e tcp.payload) ---- */

/* chrome-1250-tls-x25519-kyber.pcap frame 4 (Chrome, X25519Kyber768Draft00 key share 0x6399, GREASE, ECH; 1,756 bytes: two segments at a 1,460-byte MSS): truth name lh3.google.com, ech */
static const char FX_CHROME_KYBER[] =
	"16030106d7"  /* record: handshake, version 0301, length 1751 */
	"010006d3"  /* handshake: client_hello, length 1747 */
	"0303"  /* legacy_version */
	"56767d9ae8a843809398310469168e09e8543de551ed52fbd4403dea567ea1c1"  /* random */
	"20c72b78a56497f6e8e86debee9ec616ade6851b0ce90cda4658d36cbed28caf"  /* session_id (32) */
	"ed"
	"0020eaea130113021303c02bc02fc02cc030cca9cca8c013c014009c009d002f"  /* cipher_suites (32) */
	"0035"
	"0100"  /* compression_methods (1) */
	"066a"  /* extensions (1642) */
	"6a6a0000"  /* ext 0x6a6a GREASE (0) */
	"00230000"  /* ext 0x0023 session_ticket (0) */
	"000d0012001004030804040105030805050108060601"  /* ext 0x000d signature_algorithms (18) */
	"000b00020100"  /* ext 0x000b ec_point_formats (2) */
	"000a000c000acaca6399001d00170018"  /* ext 0x000a supported_groups (12) */
	"001b0003020002"  /* ext 0x001b compress_certificate (3) */
	"446900050003026832"  /* ext 0x4469 application_settings (5) */
	"003304ef04edcaca000100639904c0a2778cd4d2ca31c7120c5b67691a33d480"  /* ext 0x0033 key_share (1263) */
	"dabe6d387f14cfd82e1aa68547c4180b291697a6c2b16b2b230c64cd97266592"
	"673d8443ccc50f4ae894d5aa9e1ad1c0b01a44ae605f27d47311f117b5bc9dfc"
	"c762e612771d5668a73462162b9c580770ad417e7b2b8953f50912b67b8b171d"
	"6f81615dd94f787a00a8d75a14550c66385437e16a2d43519b9980647520fde0"
	"7c40388a17d4ae8514bf962313b1da12445a911f5a372e49792bcc62d4ac5f41"
	"900aafe02ed634245b492e8d8a06e245a6487678f28c0e0d8c88ad705dee8813"
	"8e7a31445c9499035b53022abe94802148c8341c3412ea3ed2812c1a841748ca"
	"6e2022bd3e8c740c963fb15467360bc90d05c8e99c76b85b3009a8b864714981"
	"533bb7ab6c70e3895e20b6dba6ccb7530a091a4998dbbff58902b2b66b9690c9"
	"8f72c4d01526bce1076762a895045e33881d2b85a7ceb95d38602ec099ad0da9"
	"2339ab0b4fea051fb8ccf0216b67a02acac71641dc2505e9998f6939dbc63c72"
	"2539f0226a79e0bc25469b069a8df37340205241fe5676e6e688f04a3fcdd309"
	"f4e65f59a31e3183c0c15b7844b2337827a7d7790ff7ecbfdaea624b44029627"
	"94f685ccb81534ce7a4f54f28b52261ea40769e1bb668c403fe031b5bfe30c74"
	"a56d2b013241130e203b8c805c7106767a1bd1b532d1b22172835adb26caaa95"
	"b3ec9b98274a7d434fb3629baefb3aa00184d7bb826ad5975e2b811c81ace1b3"
	"050e9a7e5617a25528274fe963dac029c335066d56cd107bc9ace2815235a20d"
	"975271762a34d8c6a46b567fb4538b5515b459465021ae269770cc9909434082"
	"d73400c180961c0a509536b64e3a6a9df31b66a51d5c1cbf788827cb25bbd8f6"
	"159392c5e1ac7607a41199a732e8ebb729f44dcd270f134a578d052537b03547"
	"e4787a2680094bb8b6dc16706500d0e455b77b0d61986ecf4b1fd2e1ad46369b"
	"5a67375ff762d2f69fb93330a39323a6b713a19620a9b139c1f27254e408749c"
	"a078bc44598663a87b4b53d20c9c909564b3131be1cd4167b1fe7b3356b62900"
	"5a1467c9c5701022c2bca78bc81cc1a15f429329aea223edea8844e200b78199"
	"0bc026e059377a840264d9570592a07fc7688916c5eb99ba169b8bbe394844f6"
	"20ebab8c70212108b24ca0121c0a7a7dd6877f90e94b3605699a9c1b46071409"
	"01955271172f9cab61ea096790016a92905268799834148d64202ee01beb2886"
	"655ab496e4009f263eda3b3bae1086fae7c34a2719a116abb18a9486859b5d93"
	"c5d5bb759805ac924c2a5b846c69860789e18b4e800e2de6b4a4a23a2eca54f2"
	"f108d8b4584bd04067774e016923c74249b8028767d3a0cc891ecd7130cf185b"
	"7d68a2bd0b31d7899a0a215542d474ede686e0c8bc1972be2a97cefa49af9326"
	"5aa6a3579d527c8ae2a0e2b51ff3971a84dcbaeb4134b4742f3d144c04229dc7"
	"e9265ec5cfdde00b513c6b1c81316c71a86385694a250a1e99c2b5954d309a8e"
	"2f77300274a7f875bba2f5734ec05f89e83e4093331cb216300748f33c475ac8"
	"3f35e2c077724fdc77a74e292b409897b0f463a490c37b982d0605afb3c11365"
	"9181150520f0103ba1ca95fca6adc1581dfe467f0ce70e6ff7246ac640072308"
	"0f161c284128e933924a33c10a89bf874c5f11905084253340c1f20fd87d551c"
	"f88bf2173add13f3b6a3755dd270f1001d00204518f31c6d02159e6f8ea20bd2"
	"e325c9d7ad26f38daade6bf959afa516a26e76"
	"0010000e000c02683208687474702f312e31"  /* ext 0x0010 alpn (14) */
	"002b0007068a8a03040303"  /* ext 0x002b supported_versions (7) */
	"00170000"  /* ext 0x0017 extended_master_secret (0) */
	"ff01000100"  /* ext 0xff01 renegotiation_info (1) */
	"000500050100000000"  /* ext 0x0005 status_request (5) */
	"002d00020101"  /* ext 0x002d psk_key_exchange_modes (2) */
	"fe0d00da000001000102002089384cd8b5a698ff8240d9b5ea186bb1d0e487de"  /* ext 0xfe0d encrypted_client_hello (218) */
	"252aed9d9a28ea0f0cc2b65800b01a472e144587036684e269b294f7c441d993"
	"d311dc5f3d15fa9f4850e07ccaf054be940e418a7e0eced08073992ca532efde"
	"f028349c1507e7bfa77813a8ddaf9bca4acd7093216808e24a39541efc9b73ca"
	"33561db210809e582aeafe7c3ec256ab6b5f3edfcae2365311105389da11ad60"
	"99e8adea371d8f9c0b6107bca00c5bc0ca11369dc4957b80d0f222162e199abd"
	"b886d8050c07de1de124d84987eeedca8470250578734ea0526a396dc816"
	"00120000"  /* ext 0x0012 signed_certificate_timestamp (0) */
	"00000013001100000e6c68332e676f6f676c652e636f6d"  /* ext 0x0000 server_name (19): "lh3.google.com" */
	"4a4a000100"  /* ext 0x4a4a GREASE (1) */;

/* tls13-ech.pcap frame 7 (ECH with Cloudflare's public name): truth name cloudflare-ech.com, ech */
static const char FX_TLS13_ECH[] =
	"1603010200"  /* record: handshake, version 0301, length 512 */
	"010001fc"  /* handshake: client_hello, length 508 */
	"0303"  /* legacy_version */
	"d820986a1fb4dc3a70fac91f1359ff5e320c6a5e07397ab36f8c513be4585f5d"  /* random */
	"207c77f968ecbeda040598f47af5265fb5f0f5ef3279f08b43d03c31a57ce0c6"  /* session_id (32) */
	"30"
	"00202a2a130113021303c02bc02fc02cc030cca9cca8c013c014009c009d002f"  /* cipher_suites (32) */
	"0035"
	"0100"  /* compression_methods (1) */
	"0193"  /* extensions (403) */
	"dada0000"  /* ext 0xdada GREASE (0) */
	"ff01000100"  /* ext 0xff01 renegotiation_info (1) */
	"0010000e000c02683208687474702f312e31"  /* ext 0x0010 alpn (14) */
	"000d0012001004030804040105030805050108060601"  /* ext 0x000d signature_algorithms (18) */
	"0033002b00291a1a000100001d0020231cb3a7bde0d15d97dfdfc4d315b11289"  /* ext 0x0033 key_share (43) */
	"9e9480d1dc7a0e739c4058bbe7276d"
	"002d00020101"  /* ext 0x002d psk_key_exchange_modes (2) */
	"446900050003026832"  /* ext 0x4469 application_settings (5) */
	"00230000"  /* ext 0x0023 session_ticket (0) */
	"002b0007068a8a03040303"  /* ext 0x002b supported_versions (7) */
	"000a000a00081a1a001d00170018"  /* ext 0x000a supported_groups (10) */
	"fe0d00ba0000010001d10020cce5c83299bb8dffdb74bafd0a1d524b82973e22"  /* ext 0xfe0d encrypted_client_hello (186) */
	"4c12999beed169ee7a9ad67d00900b7b2dc3b17adb2eabc1f7fabb61bdd5db77"
	"7336a9da3679c5373ff69f0087b9453bd3ec42b6d17b1b7d024cd7c4b627d1b0"
	"cd3ae9fbe5422f132187789d6c7f89f29201ff0e64853d3988adb723fff55244"
	"7ebd087a55422abe568a8dfe4596a5820f134ec9f192620e4b36776431e14e35"
	"a6c9ddbe912359b1bde0d74a062e634eb5ced3063bed83f0b562f2627803"
	"00170000"  /* ext 0x0017 extended_master_secret (0) */
	"000500050100000000"  /* ext 0x0005 status_request (5) */
	"00120000"  /* ext 0x0012 signed_certificate_timestamp (0) */
	"000b00020100"  /* ext 0x000b ec_point_formats (2) */
	"000000170015000012636c6f7564666c6172652d6563682e636f6d"  /* ext 0x0000 server_name (23): "cloudflare-ech.com" */
	"001b0003020002"  /* ext 0x001b compress_certificate (3) */
	"9a9a000100"  /* ext 0x9a9a GREASE (1) */
	"0015000700000000000000"  /* ext 0x0015 padding (7) */;

/* tls_ech.pcapng frame 4 (ECH, IPv6): truth name performance.radar.cloudflare.com, ech */
static const char FX_TLS_ECH[] =
	"1603010243"  /* record: handshake, version 0301, length 579 */
	"0100023f"  /* handshake: client_hello, length 575 */
	"0303"  /* legacy_version */
	"1d2866261a24cc0c15c6deba5b0e971a19a23b72524d3a1ca2acea56d01fdbbe"  /* random */
	"20e09ca0ae22123a165f0100faf20dfb792cf518b9400a8bb52ef80b3c06059c"  /* session_id (32) */
	"d9"
	"0020aaaa130113021303c02bc02fc02cc030cca9cca8c013c014009c009d002f"  /* cipher_suites (32) */
	"0035"
	"0100"  /* compression_methods (1) */
	"01d6"  /* extensions (470) */
	"6a6a0000"  /* ext 0x6a6a GREASE (0) */
	"0033002b00291a1a000100001d002074494288d7ffc1faa046968556f646b024"  /* ext 0x0033 key_share (43) */
	"a855feed27c793e8085413aa741136"
	"00230000"  /* ext 0x0023 session_ticket (0) */
	"ff01000100"  /* ext 0xff01 renegotiation_info (1) */
	"002d00020101"  /* ext 0x002d psk_key_exchange_modes (2) */
	"001b0003020002"  /* ext 0x001b compress_certificate (3) */
	"000a000a00081a1a001d00170018"  /* ext 0x000a supported_groups (10) */
	"00170000"  /* ext 0x0017 extended_master_secret (0) */
	"000500050100000000"  /* ext 0x0005 status_request (5) */
	"00120000"  /* ext 0x0012 signed_certificate_timestamp (0) */
	"002b000706dada03040303"  /* ext 0x002b supported_versions (7) */
	"000d0012001004030804040105030805050108060601"  /* ext 0x000d signature_algorithms (18) */
	"0010000e000c02683208687474702f312e31"  /* ext 0x0010 alpn (14) */
	"000000250023000020706572666f726d616e63652e72616461722e636c6f7564"  /* ext 0x0000 server_name (37): "performance.radar.cloudflare.com" */
	"666c6172652e636f6d"
	"fe0d00fa0000010001d800209557c100c71bf776929056d021591f6515001dc1"  /* ext 0xfe0d encrypted_client_hello (250) */
	"df1125b92408d98681a5a16700d00df0970d9f7cb426c059b1e0fe95fd7c22f8"
	"a5444d65321496fa85781e4c5e31465cc703e3368adc8b46a6aab2d9d2bdee30"
	"04e5d5c0898b0355317f3212d160e1e806aa45cc3e0a3515060718c976025afd"
	"3f04b96dbd039a99f4a7d98821a9adaa372829dab7bc9965959a5a8f4ee36506"
	"cd1baba08bd2597f464403dcfeed9a3c49f2b82e53a5ca8d09ea43158b58c787"
	"86a72c6cfabb9999fa31aaae2a2f54142f47befcf542c80530584e2583d67832"
	"2700f69cb23bf6cca0810c3def3ca164d3dfeb617e7b64dbe76e6489c4da"
	"000b00020100"  /* ext 0x000b ec_point_formats (2) */
	"446900050003026832"  /* ext 0x4469 application_settings (5) */
	"fafa000100"  /* ext 0xfafa GREASE (1) */;

/* no_sni.pcap frame 45 (Firefox draft ESNI, no server_name): truth name null, esni */
static const char FX_ESNI[] =
	"16030103ae"  /* record: handshake, version 0301, length 942 */
	"010003aa"  /* handshake: client_hello, length 938 */
	"0303"  /* legacy_version */
	"8a65da082492d7546640e2d2deb7e09a507a02818b1535f19c50ee44e58cb0fe"  /* random */
	"20e449232b4fe1b80c72b2946644fbdb75c53f41c24d629788247462a68b17c7"  /* session_id (32) */
	"c5"
	"0024130113031302c02bc02fcca9cca8c02cc030c00ac009c013c014009c009d"  /* cipher_suites (36) */
	"002f0035000a"
	"0100"  /* compression_methods (1) */
	"033d"  /* extensions (829) */
	"00170000"  /* ext 0x0017 extended_master_secret (0) */
	"ff01000100"  /* ext 0xff01 renegotiation_info (1) */
	"000a000e000c001d00170018001901000101"  /* ext 0x000a supported_groups (14) */
	"000b00020100"  /* ext 0x000b ec_point_formats (2) */
	"0010000e000c02683208687474702f312e31"  /* ext 0x0010 alpn (14) */
	"000500050100000000"  /* ext 0x0005 status_request (5) */
	"0033006b0069001d0020c63a8e2fa274ce336198956961f8cdbc06fe2b06d092"  /* ext 0x0033 key_share (107) */
	"a2525431233a6f21b2420017004104b01e3b5f9c7c218ff9307d54a97a450336"
	"e001c3b421e37e70b63c80fa9911dce6d2031a9490896e621b667e7bcb96b0f1"
	"6e158b218b70c89c3fde3d41197d7a"
	"002b00050403040303"  /* ext 0x002b supported_versions (5) */
	"000d0018001604030503060308040805080604010501060102030201"  /* ext 0x000d signature_algorithms (24) */
	"002d00020101"  /* ext 0x002d psk_key_exchange_modes (2) */
	"ffce016e1301001d00203c65a18475e148122f04be215db39970833eacd403d8"  /* ext 0xffce encrypted_server_name (366) */
	"370644e3d8e2597fad7a0020da30160485a24574fbca03ccf88e04d155a8fb84"
	"b02924e5053e259155797a9b0124154f773223d0cf0fef0a7775b0d958b67741"
	"380ee78600e440917d6766c09df766b1c11f9a9fa708ecde5d1e5dd45a2941d5"
	"d6233c0fc26fe91da3faed9c82f6bafbaed593bce2682784be9a6867b21a06eb"
	"bcd3db037837fa99cd0d3e117ab0e37e87bafea8e988492dfc2c5e824f330947"
	"430fbc6ed197b78052cf341c3e34ca15564ebd6b82760f41cde5dc21fe0f0e65"
	"bf622f16105980ba244469375960b46efcc4b55cbd5ee08279d532ce6e230184"
	"9df8948c5e611f9e79dab46bdda36ac9b8b49f54447b5da34dcd026899d2023b"
	"2ca2538610817b11acf470248dc52231356612f9588cf5dfa616a946e009e8c4"
	"e4b79007616f4a375f381f1e6a8e5d3fd08a0dad1439dfe3c5499520cc1df322"
	"ce89ee48226d6de2f68298a0d64153994a52"
	"001c00024001"  /* ext 0x001c record_size_limit (2) */
	"002900eb00c600c0cd842d8014519f5c4a75e62b79f5d2d34d5732ca7f12f353"  /* ext 0x0029 pre_shared_key (235) */
	"8a819cb19fe77bd4cbd60cffc7ff267408a4678a8c60e24604f20f4a63a3439d"
	"d0142403bd8ab739915c8450762209ad7f6fbfcf3bb517c87b56174e633a7956"
	"e5ea6f901714128cf570a8f51681e0f23567e0e5f107e84c795a7a3b95bf317b"
	"4024cc2f498d5105420953011c0436d3520e74c078a2e8acd54f106ad7006a2d"
	"2693696973643922501dbadee4ae030116523e0fea50f7196fac9729461660b8"
	"6fb8c9e8b1b95e2cc042845a002120d90e2ca9cf415560c0467f08d077f82d4d"
	"1d919faf35aa1e54a76a534447cea6";

/* google_ssl.pcap frame 4 (SSLv2-format ClientHello): truth name null */
static const char FX_SSLV2[] =
	"807c"  /* SSLv2 header: high bit, length 124 */
	"01"  /* msg_type client_hello */
	"0301"  /* version */
	"006300000010"  /* cipher_spec_length 99, session_id_length 0, challenge_length 16 */
	"00003900003800003500001600001300000a0700c000003300003200002f0300"  /* cipher_specs */
	"8000006600000500000401008008008000006300006200006100001500001200"
	"0009060040000065000064000060000014000011000008000006040080000003"
	"020080"
	"447674058ab9c9a5abbb06702cc6cf1f"  /* challenge */;

/* firefox.pcap frame 4: truth name www.iit.cnr.it */
static const char FX_FIREFOX[] =
	"1603010200"  /* record: handshake, version 0301, length 512 */
	"010001fc"  /* handshake: client_hello, length 508 */
	"0303"  /* legacy_version */
	"2d7c0d430bece9c9cbfd15d98d3140b96ec26e5a7517caea742105a6143526bb"  /* random */
	"20870310535e4a33fcc7c4d9b23f70b069d7990761d6edb7a115363be1f52a50"  /* session_id (32) */
	"0b"
	"0024130113031302c02bc02fcca9cca8c02cc030c00ac009c013c014009c009d"  /* cipher_suites (36) */
	"002f0035000a"
	"0100"  /* compression_methods (1) */
	"018f"  /* extensions (399) */
	"00000013001100000e7777772e6969742e636e722e6974"  /* ext 0x0000 server_name (19): "www.iit.cnr.it" */
	"00170000"  /* ext 0x0017 extended_master_secret (0) */
	"ff01000100"  /* ext 0xff01 renegotiation_info (1) */
	"000a000e000c001d00170018001901000101"  /* ext 0x000a supported_groups (14) */
	"000b00020100"  /* ext 0x000b ec_point_formats (2) */
	"00230000"  /* ext 0x0023 session_ticket (0) */
	"0010000e000c02683208687474702f312e31"  /* ext 0x0010 alpn (14) */
	"000500050100000000"  /* ext 0x0005 status_request (5) */
	"0033006b0069001d00201da93a0074c22fc3110383f83e0910e44cc3d736fc82"  /* ext 0x0033 key_share (107) */
	"92f196644d541cd7ea750017004104692ac0b01d5df430f5aec67a7ec4c19b06"
	"dd4236b0c37b2c33078a2c38edbe6f3d2077b389b1ff762e91b57aa364e90e51"
	"1c698097be19a6a6d5cb686aea78f1"
	"002b00050403040303"  /* ext 0x002b supported_versions (5) */
	"000d0018001604030503060308040805080604010501060102030201"  /* ext 0x000d signature_algorithms (24) */
	"002d00020101"  /* ext 0x002d psk_key_exchange_modes (2) */
	"001c00024001"  /* ext 0x001c record_size_limit (2) */
	"0015009400000000000000000000000000000000000000000000000000000000"  /* ext 0x0015 padding (148) */
	"0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000";

/* ---- helpers ---- */

/* Decode a hex fixture into a heap buffer the test frees. */
static uint8_t *unhex(const char *hex, size_t *out_len)
{
	size_t n = strlen(hex);
	assert_int_equal(n % 2, 0);
	uint8_t *buf = malloc(n / 2 + 1);
	assert_non_null(buf);
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;
		assert_int_equal(sscanf(&hex[2 * i], "%2x", &v), 1);
		buf[i] = (uint8_t)v;
	}
	*out_len = n / 2;
	return buf;
}

static uint8_t scratch[BUF_LEN];

static enum parse_result parse(const uint8_t *p, size_t n, struct tls_client_hello *ch,
			       size_t *consumed)
{
	*consumed = 0;
	return tls_parse_stream(bytes_make(p, n), scratch, sizeof(scratch), ch, consumed);
}

/* Build a ClientHello from o, wrap it in records of rec_size, parse. */
static enum parse_result build_and_parse(const struct tls_build_opts *o, size_t rec_size,
					 struct tls_client_hello *ch)
{
	static uint8_t hs[BUF_LEN], rec[BUF_LEN + 20000];
	size_t hs_len = tls_build_client_hello(hs, sizeof(hs), o);
	assert_true(hs_len > 0);
	size_t n = tls_build_records(rec, sizeof(rec), hs, hs_len, rec_size);
	assert_true(n > 0);
	size_t consumed;
	enum parse_result r = parse(rec, n, ch, &consumed);
	if (r == PARSE_OK)
		assert_int_equal(consumed, n);
	return r;
}

static enum parse_result build_and_parse_body(const struct tls_build_opts *o,
					      struct tls_client_hello *ch)
{
	static uint8_t hs[BUF_LEN];
	size_t hs_len = tls_build_client_hello(hs, sizeof(hs), o);
	assert_true(hs_len > 4);
	struct bytes msg = bytes_make(hs, hs_len), body;
	assert_true(bytes_skip(&msg, 4));
	assert_true(bytes_get_bytes(&msg, hs_len - 4, &body));
	return tls_parse_client_hello_body(body, ch);
}

/* The name tshark recorded for `frame` of `pcap` in its truth file, or
 * "null"; false when the truth file is not there (the test then relies
 * on the name written next to the fixture). */
static bool truth_name(const char *pcap, unsigned frame, char *out, size_t out_len)
{
	const char *dir = getenv("AIGATE_PCAP_TRUTH");
	char path[512], key[32], line[4096];
	snprintf(path, sizeof(path), "%s/%s.jsonl",
		 dir ? dir : "/work/shared/pcaps/truth", pcap);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return false;
	snprintf(key, sizeof(key), "{\"frame\": %u,", frame);
	bool found = false;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, strlen(key)) != 0)
			continue;
		const char *p = strstr(line, "\"name\": ");
		assert_non_null(p);
		p += strlen("\"name\": ");
		if (*p == '"') {
			p++;
			size_t n = strcspn(p, "\"");
			assert_true(n < out_len);
			memcpy(out, p, n);
			out[n] = '\0';
		} else {
			snprintf(out, out_len, "null");
		}
		found = true;
		break;
	}
	fclose(f);
	assert_true(found);
	return true;
}

/* Parse a fixture stream and check it against the expected name (NULL:
 * none) and flags, and against the truth file when present. */
static void check_fixture(const char *hex, const char *pcap, unsigned frame,
			  const char *name, uint32_t flags, struct tls_client_hello *ch)
{
	size_t n, consumed;
	uint8_t *p = unhex(hex, &n);
	assert_int_equal(parse(p, n, ch, &consumed), PARSE_OK);
	assert_int_equal(consumed, n);
	assert_int_equal(ch->flags, flags);
	if (name == NULL) {
		assert_false(ch->has_sni);
		assert_int_equal(ch->sni_len, 0);
	} else {
		assert_true(ch->has_sni);
		assert_string_equal(ch->sni, name);
		assert_int_equal(ch->sni_len, strlen(name));
	}
	char truth[NAME_BUF_LEN];
	if (truth_name(pcap, frame, truth, sizeof(truth)))
		assert_string_equal(truth, name ? name : "null");

	/* Truncation sweep: no proper prefix yields a name. */
	for (size_t k = 0; k < n; k++) {
		struct tls_client_hello c;
		enum parse_result r = parse(p, k, &c, &consumed);
		if (r != PARSE_NEED_MORE)
			fail_msg("prefix %zu of %zu: result %d", k, n, r);
	}
	free(p);
}

/* ---- real ClientHellos ---- */

static void test_fixture_chrome_kyber(void **state)
{
	(void)state;
	struct tls_client_hello ch;
	check_fixture(FX_CHROME_KYBER, "chrome-1250-tls-x25519-kyber.pcap", 4,
		      "lh3.google.com", FLAG_ECH, &ch);
	assert_string_equal(ch.alpn, "h2,http/1.1");
	assert_int_equal(ch.legacy_version, 0x0303);
	assert_int_equal(ch.n_extensions, 18);
	assert_true(ch.ech_parsed);
	assert_int_equal(ch.ech_type, TLS_ECH_OUTER);
	assert_int_equal(ch.ech_kdf, 1);
	assert_int_equal(ch.ech_aead, 1);
	assert_int_equal(ch.ech_config_id, 0x02);
	assert_int_equal(ch.ech_enc_len, 32);
	assert_int_equal(ch.ech_payload_len, 176);
	/* Chrome's ECH here may well be GREASE: the parser must not guess. */
	assert_int_equal(ch.flags & FLAG_ECH_GREASE, 0);
}

/* The Chrome hello as it crossed the wire in two TCP segments (1,460
 * bytes, then the rest): the first gives NEED_MORE, both give the name. */
static void test_fixture_chrome_two_segments(void **state)
{
	(void)state;
	size_t n, consumed;
	uint8_t *p = unhex(FX_CHROME_KYBER, &n);
	assert_int_equal(n, 1756);
	struct tls_client_hello ch;
	assert_int_equal(parse(p, 1460, &ch, &consumed), PARSE_NEED_MORE);
	assert_false(ch.has_sni);
	assert_int_equal(parse(p, n, &ch, &consumed), PARSE_OK);
	assert_string_equal(ch.sni, "lh3.google.com");
	free(p);
}

/* The Chrome handshake message re-split into two records at every
 * position, and into records of every size from 1 to 64 bytes. */
static void test_fixture_chrome_resplit(void **state)
{
	(void)state;
	size_t n;
	uint8_t *p = unhex(FX_CHROME_KYBER, &n);
	struct bytes s = bytes_make(p, n), msg = { NULL, 0 };
	assert_true(bytes_skip(&s, 5));
	assert_true(bytes_get_bytes(&s, n - 5, &msg));
	static uint8_t rec[20000];
	for (size_t k = 1; k < msg.len; k++) {
		/* two records: k bytes, then the rest */
		size_t a = tls_build_records(rec, sizeof(rec), msg.ptr, k, k);
		size_t b = tls_build_records(&rec[a], sizeof(rec) - a, &msg.ptr[k],
					     msg.len - k, msg.len);
		assert_true(a > 0 && b > 0);
		struct tls_client_hello ch;
		size_t consumed;
		assert_int_equal(parse(rec, a + b, &ch, &consumed), PARSE_OK);
		assert_int_equal(consumed, a + b);
		assert_string_equal(ch.sni, "lh3.google.com");
		assert_int_equal(ch.flags, FLAG_ECH);
	}
	for (size_t size = 1; size <= 64; size++) {
		size_t len = tls_build_records(rec, sizeof(rec), msg.ptr, msg.len, size);
		assert_true(len > 0);
		struct tls_client_hello ch;
		size_t consumed;
		assert_int_equal(parse(rec, len, &ch, &consumed), PARSE_OK);
		assert_int_equal(consumed, len);
		assert_string_equal(ch.sni, "lh3.google.com");
	}
	free(p);
}

static void test_fixture_ech(void **state)
{
	(void)state;
	struct tls_client_hello ch;
	check_fixture(FX_TLS13_ECH, "tls13-ech.pcap", 7, "cloudflare-ech.com", FLAG_ECH, &ch);
	assert_true(ch.ech_parsed);
	assert_int_equal(ch.ech_type, TLS_ECH_OUTER);
	assert_int_equal(ch.ech_config_id, 0xd1);
	assert_int_equal(ch.ech_enc_len, 32);
	assert_int_equal(ch.ech_payload_len, 144);

	check_fixture(FX_TLS_ECH, "tls_ech.pcapng", 4, "performance.radar.cloudflare.com",
		      FLAG_ECH, &ch);
	assert_true(ch.ech_parsed);
	assert_int_equal(ch.ech_config_id, 0xd8);
	assert_int_equal(ch.ech_payload_len, 208);
}

static void test_fixture_esni(void **state)
{
	(void)state;
	struct tls_client_hello ch;
	check_fixture(FX_ESNI, "no_sni.pcap", 45, NULL, FLAG_ESNI | FLAG_NO_SNI, &ch);
	assert_string_equal(ch.alpn, "h2,http/1.1");
}

static void test_fixture_sslv2(void **state)
{
	(void)state;
	struct tls_client_hello ch;
	check_fixture(FX_SSLV2, "google_ssl.pcap", 4, NULL, FLAG_SSLV2 | FLAG_NO_SNI, &ch);
	assert_int_equal(ch.legacy_version, 0x0301);
}

static void test_fixture_firefox(void **state)
{
	(void)state;
	struct tls_client_hello ch;
	check_fixture(FX_FIREFOX, "firefox.pcap", 4, "www.iit.cnr.it", 0, &ch);
	assert_string_equal(ch.alpn, "h2,http/1.1");
}

/* ---- build-then-parse round trips ---- */

static void test_roundtrip_basic(void **state)
{
	(void)state;
	struct tls_client_hello ch;
	struct tls_build_opts o = { .sni = "chatgpt.com", .alpn = "h2,http/1.1",
				    .session_id_len = 32 };
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_OK);
	assert_true(ch.has_sni);
	assert_string_equal(ch.sni, "chatgpt.com");
	assert_int_equal(ch.sni_len, 11);
	assert_string_equal(ch.alpn, "h2,http/1.1");
	assert_int_equal(ch.legacy_version, 0x0303);
	assert_int_equal(ch.flags, 0);
	assert_int_equal(ch.n_extensions, 2);
}

static void test_roundtrip_no_sni(void **state)
{
	(void)state;
	struct tls_client_hello ch;
	struct tls_build_opts o = { .alpn = "h2" };
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_OK);
	assert_false(ch.has_sni);
	assert_int_equal(ch.flags, FLAG_NO_SNI);
	assert_string_equal(ch.alpn, "h2");
}

/* RFC 5246 s7.4.1.2: a hello may end after compression_methods. */
static void test_roundtrip_no_extensions(void **state)
{
	(void)state;
	struct tls_client_hello ch;
	struct tls_build_opts o = { .no_extensions = true, .legacy_version = 0x0301 };
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_OK);
	assert_false(ch.has_sni);
	assert_int_equal(ch.flags, FLAG_NO_SNI);
	assert_int_equal(ch.legacy_version, 0x0301);
	assert_int_equal(ch.n_extensions, 0);
}

/* An extensions block that is present but empty is fine too. */
static void test_roundtrip_empty_extensions(void **state)
{
	(void)state;
	struct tls_client_hello ch;
	struct tls_build_opts o = { 0 };
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_OK);
	assert_int_equal(ch.flags, FLAG_NO_SNI);
}

static void test_roundtrip_chrome_like(void **state)
{
	(void)state;
	struct tls_client_hello ch;
	struct tls_build_opts o = { .sni = "gemini.google.com", .alpn = "h2,http/1.1",
				    .grease = true, .key_share_len = 1216,
				    .ech_payload_len = 176, .ech_config_id = 0x42,
				    .session_id_len = 32 };
	static uint8_t hs[4096];
	size_t hs_len = tls_build_client_hello(hs, sizeof(hs), &o);
	assert_in_range(hs_len, 1500, 2000);
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_OK);
	assert_string_equal(ch.sni, "gemini.google.com");
	assert_int_equal(ch.flags, FLAG_ECH);
	assert_true(ch.ech_parsed);
	assert_int_equal(ch.ech_type, TLS_ECH_OUTER);
	assert_int_equal(ch.ech_config_id, 0x42);
	assert_int_equal(ch.ech_kdf, 1);
	assert_int_equal(ch.ech_aead, 1);
	assert_int_equal(ch.ech_enc_len, 32);
	assert_int_equal(ch.ech_payload_len, 176);
	assert_int_equal(ch.n_extensions, 6);
}

static void test_simple_builder(void **state)
{
	(void)state;
	static uint8_t buf[BUF_LEN];
	struct tls_client_hello ch;
	size_t consumed;
	size_t sizes[] = { 0, 300, 517, 1800, 16389, 16390, 40000 };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = tls_build_simple(buf, sizeof(buf), "claude.ai", sizes[i]);
		assert_true(n > 0);
		if (sizes[i] >= 300)
			assert_in_range(n, sizes[i] - 10, sizes[i] + 10);
		assert_int_equal(parse(buf, n, &ch, &consumed), PARSE_OK);
		assert_int_equal(consumed, n);
		assert_string_equal(ch.sni, "claude.ai");
	}
	size_t n = tls_build_simple(buf, sizeof(buf), NULL, 600);
	assert_int_equal(parse(buf, n, &ch, &consumed), PARSE_OK);
	assert_false(ch.has_sni);
	assert_int_equal(ch.flags, FLAG_NO_SNI);
	assert_int_equal(tls_build_simple(buf, 100, "claude.ai", 600), 0);
}

static void test_tls_parse_handshake(void **state)
{
	(void)state;
	static uint8_t hs[4096];
	struct tls_client_hello ch;
	struct tls_build_opts o = { .sni = "copilot.microsoft.com" };
	size_t n = tls_build_client_hello(hs, sizeof(hs), &o);
	assert_int_equal(tls_parse_handshake(bytes_make(hs, n), &ch), PARSE_OK);
	assert_string_equal(ch.sni, "copilot.microsoft.com");
	for (size_t k = 0; k < n; k++)
		assert_int_equal(tls_parse_handshake(bytes_make(hs, k), &ch), PARSE_NEED_MORE);
	/* QUIC CRYPTO data may go on after the message (padding, ...). */
	hs[n] = 0;
	assert_int_equal(tls_parse_handshake(bytes_make(hs, n + 1), &ch), PARSE_OK);
	/* A ServerHello (2) is not ours. */
	hs[0] = 2;
	assert_int_equal(tls_parse_handshake(bytes_make(hs, n), &ch), PARSE_NOT_MINE);
}

/* ---- server_name (RFC 6066 s3) ---- */

static void test_sni_refusals(void **state)
{
	(void)state;
	struct tls_client_hello ch;
	struct tls_build_opts o = { .sni = "" };
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_MALFORMED);
	o = (struct tls_build_opts){ .sni = "a.example", .sni2 = "b.example" };
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_MALFORMED);
	o = (struct tls_build_opts){ .sni_empty_list = true };
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_MALFORMED);
}

static void test_sni_length_bounds(void **state)
{
	(void)state;
	char name[300];
	struct tls_client_hello ch;
	memset(name, 'a', sizeof(name));
	name[255] = '\0';
	struct tls_build_opts o = { .sni = name };
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_OK);
	assert_int_equal(ch.sni_len, 255);
	assert_int_equal(strlen(ch.sni), 255);
	name[255] = 'a';
	name[256] = '\0';
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_MALFORMED);
	name[1] = '\0';
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_OK);
	assert_string_equal(ch.sni, "a");
}

/* Hand-made server_name extension bodies (the list, after the type). */
static enum parse_result parse_sni_ext(const uint8_t *data, size_t len,
				       struct tls_client_hello *ch)
{
	struct tls_build_ext e = { 0x0000, data, len };
	struct tls_build_opts o = { .extra = &e, .n_extra = 1 };
	return build_and_parse(&o, 16384, ch);
}

static void test_sni_handmade(void **state)
{
	(void)state;
	struct tls_client_hello ch;
	/* a NUL byte inside the name */
	static const uint8_t nul[] = { 0, 8, 0, 0, 5, 'a', 'b', 0, 'c', 'd' };
	assert_int_equal(parse_sni_ext(nul, sizeof(nul), &ch), PARSE_MALFORMED);
	/* an unknown name type (7) is skipped, the host_name after it kept */
	static const uint8_t unk[] = { 0, 12, 7, 0, 1, 'x', 0, 0, 5, 'a', '.', 'b', 'c', 'd' };
	assert_int_equal(parse_sni_ext(unk, sizeof(unk), &ch), PARSE_OK);
	assert_string_equal(ch.sni, "a.bcd");
	/* only an unknown name type: no SNI */
	static const uint8_t only_unk[] = { 0, 4, 7, 0, 1, 'x' };
	assert_int_equal(parse_sni_ext(only_unk, sizeof(only_unk), &ch), PARSE_OK);
	assert_false(ch.has_sni);
	assert_int_equal(ch.flags, FLAG_NO_SNI);
	/* a byte after the list */
	static const uint8_t trail[] = { 0, 4, 0, 0, 1, 'x', 0 };
	assert_int_equal(parse_sni_ext(trail, sizeof(trail), &ch), PARSE_MALFORMED);
	/* the list length overruns the extension */
	static const uint8_t over[] = { 0, 5, 0, 0, 1, 'x' };
	assert_int_equal(parse_sni_ext(over, sizeof(over), &ch), PARSE_MALFORMED);
	/* the name length overruns the list */
	static const uint8_t over2[] = { 0, 4, 0, 0, 2, 'x' };
	assert_int_equal(parse_sni_ext(over2, sizeof(over2), &ch), PARSE_MALFORMED);
	/* an empty extension body (what a server sends back) */
	assert_int_equal(parse_sni_ext(NULL, 0, &ch), PARSE_MALFORMED);
	/* a list cut inside a name type */
	static const uint8_t cut[] = { 0, 1, 0 };
	assert_int_equal(parse_sni_ext(cut, sizeof(cut), &ch), PARSE_MALFORMED);
}

/* Bytes outside letters and digits are kept as sent: judging them is
 * name.c's job (FLAG_NAME_ODD_CHARS). */
static void test_sni_kept_as_sent(void **state)
{
	(void)state;
	struct tls_client_hello ch;
	struct tls_build_opts o = { .sni = "server4:443" };
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_OK);
	assert_string_equal(ch.sni, "server4:443");
	o.sni = "ChatGPT.COM.";
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_OK);
	assert_string_equal(ch.sni, "ChatGPT.COM.");
}

/* ---- extensions ---- */

static void test_duplicate_extensions(void **state)
{
	(void)state;
	struct tls_client_hello ch;
	static const uint8_t one = 0;
	struct tls_build_ext dup[] = { { 0x0017, NULL, 0 }, { 0x0017, NULL, 0 } };
	struct tls_build_opts o = { .sni = "x.example", .extra = dup, .n_extra = 2 };
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_MALFORMED);
	/* a second server_name extension */
	struct tls_build_ext sn[] = { { 0x0000, (const uint8_t *)"\x00\x04\x00\x00\x01y", 6 } };
	o = (struct tls_build_opts){ .sni = "x.example", .extra = sn, .n_extra = 1 };
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_MALFORMED);
	/* two identical GREASE types are duplicates too */
	struct tls_build_ext g2[] = { { 0x2a2a, NULL, 0 }, { 0x2a2a, &one, 1 } };
	o = (struct tls_build_opts){ .sni = "x.example", .extra = g2, .n_extra = 2 };
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_MALFORMED);
	/* two different GREASE types are fine */
	o = (struct tls_build_opts){ .sni = "x.example", .grease = true };
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_OK);
	assert_string_equal(ch.sni, "x.example");
	/* extension types 0xffff and 0 are told apart */
	struct tls_build_ext hi[] = { { 0xffff, NULL, 0 } };
	o = (struct tls_build_opts){ .sni = "x.example", .extra = hi, .n_extra = 1 };
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_OK);
}

static void test_ech_and_esni_flags(void **state)
{
	(void)state;
	struct tls_client_hello ch;
	struct tls_build_opts o = { .sni = "public.example", .ech_payload_len = 200 };
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_OK);
	assert_int_equal(ch.flags, FLAG_ECH);
	assert_string_equal(ch.sni, "public.example");

	/* A malformed ECH body still flags ECH and keeps the name: a server
	 * without ECH ignores the extension. */
	static const uint8_t bad[] = { 0, 0, 1, 0, 1, 7, 0, 5 };
	struct tls_build_ext e = { 0xfe0d, bad, sizeof(bad) };
	o = (struct tls_build_opts){ .sni = "public.example", .extra = &e, .n_extra = 1 };
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_OK);
	assert_int_equal(ch.flags, FLAG_ECH);
	assert_false(ch.ech_parsed);
	assert_string_equal(ch.sni, "public.example");

	/* type inner, empty body */
	static const uint8_t inner[] = { 1 };
	e = (struct tls_build_ext){ 0xfe0d, inner, sizeof(inner) };
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_OK);
	assert_true(ch.ech_parsed);
	assert_int_equal(ch.ech_type, TLS_ECH_INNER);

	/* an outer ECH with an empty payload is not well formed */
	static const uint8_t nopay[] = { 0, 0, 1, 0, 1, 7, 0, 0, 0, 0 };
	e = (struct tls_build_ext){ 0xfe0d, nopay, sizeof(nopay) };
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_OK);
	assert_false(ch.ech_parsed);

	e = (struct tls_build_ext){ 0xffce, NULL, 0 };
	o = (struct tls_build_opts){ .extra = &e, .n_extra = 1 };
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_OK);
	assert_int_equal(ch.flags, FLAG_ESNI | FLAG_NO_SNI);

	/* the pre-RFC ECH draft code points are not 0xfe0d */
	e = (struct tls_build_ext){ 0xfe0a, NULL, 0 };
	o = (struct tls_build_opts){ .sni = "a.example", .extra = &e, .n_extra = 1 };
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_OK);
	assert_int_equal(ch.flags, 0);
}

static void test_alpn(void **state)
{
	(void)state;
	struct tls_client_hello ch;
	struct tls_build_opts o = { .sni = "a.example", .alpn = "h3" };
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_OK);
	assert_string_equal(ch.alpn, "h3");
	o.alpn = "";
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_MALFORMED);
	o.alpn = "h2,,http/1.1";
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_MALFORMED);
	/* whole names while they fit in 63 bytes */
	o.alpn = "h2,http/1.1,spdy/3,01234567890123456789012345678901234567890123456789,h3";
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_OK);
	assert_string_equal(ch.alpn, "h2,http/1.1,spdy/3");
	/* a first name too long is cut */
	o.alpn = "0123456789012345678901234567890123456789012345678901234567890123456789";
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_OK);
	assert_int_equal(strlen(ch.alpn), TLS_ALPN_BUF_LEN - 1);
	assert_memory_equal(ch.alpn, o.alpn, TLS_ALPN_BUF_LEN - 1);
	/* exactly 63 bytes joined */
	o.alpn = "012345678901234567890123456789,01234567890123456789012345678901";
	assert_int_equal(strlen(o.alpn), 63);
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_OK);
	assert_string_equal(ch.alpn, o.alpn);
	/* a byte after the list */
	static const uint8_t trail[] = { 0, 3, 2, 'h', '2', 0 };
	struct tls_build_ext e = { 0x0010, trail, sizeof(trail) };
	o = (struct tls_build_opts){ .sni = "a.example", .extra = &e, .n_extra = 1 };
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_MALFORMED);
}

/* ---- ClientHello body refusals ---- */

static void test_body_refusals(void **state)
{
	(void)state;
	struct tls_client_hello ch;
	struct tls_build_opts o = { .sni = "a.example", .trailing_len = 1 };
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_MALFORMED);
	o.trailing_len = 7;
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_MALFORMED);
	/* trailing bytes with no extensions block: a short extensions length */
	o = (struct tls_build_opts){ .no_extensions = true, .trailing_len = 1 };
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_MALFORMED);

	o = (struct tls_build_opts){ .sni = "a.example", .session_id_len = 32 };
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_OK);
	o.session_id_len = 33;
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_MALFORMED);

	o = (struct tls_build_opts){ .sni = "a.example", .set_cipher_suites_len = true };
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_MALFORMED); /* empty */
	o.cipher_suites_len = 3;
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_MALFORMED); /* odd */
	o.cipher_suites_len = 2;
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_OK);

	o = (struct tls_build_opts){ .sni = "a.example", .set_compression_len = true };
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_MALFORMED); /* empty */
	o.compression_len = 2;
	assert_int_equal(build_and_parse(&o, 16384, &ch), PARSE_OK);

	/* the body alone: every proper prefix is MALFORMED (complete by
	 * contract), never a name, except the one that ends right after
	 * compression_methods, which is a whole TLS 1.0-1.2 hello */
	static uint8_t hs[4096];
	o = (struct tls_build_opts){ .sni = "a.example", .alpn = "h2", .ech_payload_len = 10 };
	size_t n = tls_build_client_hello(hs, sizeof(hs), &o);
	assert_int_equal(build_and_parse_body(&o, &ch), PARSE_OK);
	for (size_t k = 0; k < n - 4; k++) {
		struct bytes m = bytes_make(hs, n), body;
		assert_true(bytes_skip(&m, 4));
		assert_true(bytes_get_bytes(&m, k, &body));
		enum parse_result r = tls_parse_client_hello_body(body, &ch);
		if (k == 2 + 32 + 1 + 2 + 4 + 2) {
			assert_int_equal(r, PARSE_OK);
			assert_int_equal(ch.flags, FLAG_NO_SNI);
		} else {
			assert_int_equal(r, PARSE_MALFORMED);
		}
		assert_false(ch.has_sni);
	}
}

/* An extension whose length runs past the block, and an extension header
 * cut in half. */
static void test_extension_framing(void **state)
{
	(void)state;
	static uint8_t hs[4096], rec[4200];
	struct tls_client_hello ch;
	struct tls_build_opts o = { .sni = "a.example" };
	size_t n = tls_build_client_hello(hs, sizeof(hs), &o);
	/* server_name's extension length is at the end minus the ext */
	size_t ext_len_at = n - (4 + 2 + 3 + 9) + 2;
	assert_int_equal(hs[ext_len_at + 1], 2 + 3 + 9);
	hs[ext_len_at + 1]++;
	size_t r = tls_build_records(rec, sizeof(rec), hs, n, 16384);
	size_t consumed;
	assert_int_equal(parse(rec, r, &ch, &consumed), PARSE_MALFORMED);
	hs[ext_len_at + 1] = (uint8_t)(hs[ext_len_at + 1] - 2);
	r = tls_build_records(rec, sizeof(rec), hs, n, 16384);
	assert_int_equal(parse(rec, r, &ch, &consumed), PARSE_MALFORMED);
}

/* ---- record layer (RFC 8446 s5.1) ---- */

static void test_records_every_size(void **state)
{
	(void)state;
	struct tls_client_hello ch;
	struct tls_build_opts o = { .sni = "chat.mistral.ai", .alpn = "h2", .grease = true };
	for (size_t size = 1; size <= 300; size++) {
		assert_int_equal(build_and_parse(&o, size, &ch), PARSE_OK);
		assert_string_equal(ch.sni, "chat.mistral.ai");
	}
}

static void test_split_every_position(void **state)
{
	(void)state;
	static uint8_t hs[4096], rec[8192];
	struct tls_build_opts o = { .sni = "perplexity.ai", .alpn = "h2,http/1.1",
				    .ech_payload_len = 100, .key_share_len = 32 };
	size_t n = tls_build_client_hello(hs, sizeof(hs), &o);
	for (size_t k = 1; k < n; k++) {
		size_t a = tls_build_records(rec, sizeof(rec), hs, k, k);
		size_t b = tls_build_records(&rec[a], sizeof(rec) - a, &hs[k], n - k, n);
		struct tls_client_hello ch;
		size_t consumed;
		assert_int_equal(parse(rec, a + b, &ch, &consumed), PARSE_OK);
		assert_int_equal(consumed, a + b);
		assert_string_equal(ch.sni, "perplexity.ai");
		assert_int_equal(ch.flags, FLAG_ECH);
		/* and no prefix of the two-record stream gives a name */
		if (k % 17 == 0) {
			for (size_t p = 0; p < a + b; p++)
				assert_int_equal(parse(rec, p, &ch, &consumed),
						 PARSE_NEED_MORE);
		}
	}
}

/* Truncation sweep over one-byte records: every proper prefix is
 * NEED_MORE. */
static void test_truncation_one_byte_records(void **state)
{
	(void)state;
	static uint8_t hs[4096], rec[40000];
	struct tls_build_opts o = { .sni = "a.example", .alpn = "h2" };
	size_t n = tls_build_client_hello(hs, sizeof(hs), &o);
	size_t len = tls_build_records(rec, sizeof(rec), hs, n, 1);
	assert_int_equal(len, 6 * n);
	struct tls_client_hello ch;
	size_t consumed;
	for (size_t k = 0; k < len; k++) {
		assert_int_equal(parse(rec, k, &ch, &consumed), PARSE_NEED_MORE);
		assert_false(ch.has_sni);
	}
	assert_int_equal(parse(rec, len, &ch, &consumed), PARSE_OK);
	assert_string_equal(ch.sni, "a.example");
}

/* What follows the record that completed the hello is not consumed. */
static void test_consumed_stops_at_hello(void **state)
{
	(void)state;
	static uint8_t buf[8192];
	struct tls_client_hello ch;
	size_t consumed;
	size_t n = tls_build_simple(buf, sizeof(buf), "a.example", 600);
	/* RFC 8446 D.4: a change_cipher_spec record may follow */
	static const uint8_t ccs[] = { 20, 3, 3, 0, 1, 1, 23, 3, 3, 0, 2, 0xaa, 0xbb };
	memcpy(&buf[n], ccs, sizeof(ccs));
	assert_int_equal(parse(buf, n + sizeof(ccs), &ch, &consumed), PARSE_OK);
	assert_int_equal(consumed, n);
	/* the same with a hello over two records */
	static uint8_t big[40000];
	n = tls_build_simple(big, sizeof(big), "a.example", 20000);
	memcpy(&big[n], ccs, sizeof(ccs));
	assert_int_equal(parse(big, n + sizeof(ccs), &ch, &consumed), PARSE_OK);
	assert_int_equal(consumed, n);
	assert_string_equal(ch.sni, "a.example");
}

static void test_record_refusals(void **state)
{
	(void)state;
	static uint8_t hs[4096], rec[8192];
	struct tls_client_hello ch;
	size_t consumed;
	struct tls_build_opts o = { .sni = "a.example" };
	size_t n = tls_build_client_hello(hs, sizeof(hs), &o);
	size_t len = tls_build_records(rec, sizeof(rec), hs, n, 20);

	/* another content type before the hello completes: alert (21),
	 * change_cipher_spec (20), application_data (23) */
	static const uint8_t types[] = { 20, 21, 23 };
	for (size_t i = 0; i < sizeof(types); i++) {
		rec[25] = types[i];
		assert_int_equal(parse(rec, len, &ch, &consumed), PARSE_MALFORMED);
	}
	rec[25] = 22;
	assert_int_equal(parse(rec, len, &ch, &consumed), PARSE_OK);

	/* record versions 0x0300..0x0304 only */
	rec[2] = 0x00;
	assert_int_equal(parse(rec, len, &ch, &consumed), PARSE_OK);
	rec[2] = 0x04;
	assert_int_equal(parse(rec, len, &ch, &consumed), PARSE_OK);
	rec[2] = 0x05;
	assert_int_equal(parse(rec, len, &ch, &consumed), PARSE_MALFORMED);
	rec[2] = 0x01;
	rec[26] = 2; /* second record: major byte not 3 */
	assert_int_equal(parse(rec, len, &ch, &consumed), PARSE_MALFORMED);
	rec[26] = 3;

	/* a zero-length record */
	static const uint8_t zero[] = { 22, 3, 1, 0, 0 };
	assert_int_equal(parse(zero, sizeof(zero), &ch, &consumed), PARSE_MALFORMED);
	/* a record over 2^14 bytes */
	static const uint8_t big[] = { 22, 3, 1, 0x40, 0x01, 1 };
	assert_int_equal(parse(big, sizeof(big), &ch, &consumed), PARSE_MALFORMED);
	/* a first handshake message that is not a ClientHello */
	static const uint8_t sh[] = { 22, 3, 3, 0, 4, 2, 0, 0, 0 };
	assert_int_equal(parse(sh, sizeof(sh), &ch, &consumed), PARSE_MALFORMED);
	/* ... judged from its first byte, before its record is complete */
	assert_int_equal(parse(sh, 6, &ch, &consumed), PARSE_MALFORMED);
	/* ... and in a one-byte record */
	static const uint8_t sh1[] = { 22, 3, 3, 0, 1, 2 };
	assert_int_equal(parse(sh1, sizeof(sh1), &ch, &consumed), PARSE_MALFORMED);
	/* a second handshake message in the record that ends the hello */
	memcpy(rec, hs, 0);
	len = tls_build_records(rec, sizeof(rec), hs, n, 16384);
	rec[4] = (uint8_t)(rec[4] + 1);
	rec[len] = 0;
	assert_int_equal(parse(rec, len + 1, &ch, &consumed), PARSE_MALFORMED);
	/* ... and in the last record of a hello spread over several */
	len = tls_build_records(rec, sizeof(rec), hs, n, 20);
	size_t last = len - (n % 20 ? n % 20 : 20) - 5;
	assert_int_equal(rec[last], 22);
	rec[last + 4] = (uint8_t)(rec[last + 4] + 1);
	rec[len] = 0;
	assert_int_equal(parse(rec, len + 1, &ch, &consumed), PARSE_MALFORMED);
	/* an empty ClientHello body */
	static const uint8_t empty[] = { 22, 3, 1, 0, 4, 1, 0, 0, 0 };
	assert_int_equal(parse(empty, sizeof(empty), &ch, &consumed), PARSE_MALFORMED);
}

/* A record of exactly 2^14 bytes is allowed; a hello over 2^14 spans
 * records and needs scratch. */
static void test_record_max_and_scratch(void **state)
{
	(void)state;
	static uint8_t hs[40000], rec[41000], small[1000];
	struct tls_client_hello ch;
	size_t consumed;
	struct tls_build_opts o = { .sni = "a.example", .pad_to = 16384 };
	size_t n = tls_build_client_hello(hs, sizeof(hs), &o);
	assert_int_equal(n, 16384);
	size_t len = tls_build_records(rec, sizeof(rec), hs, n, 16384);
	/* in one record: parsed in place, no scratch needed */
	assert_int_equal(tls_parse_stream(bytes_make(rec, len), NULL, 0, &ch, &consumed),
			 PARSE_OK);
	assert_string_equal(ch.sni, "a.example");

	o.pad_to = 30000;
	n = tls_build_client_hello(hs, sizeof(hs), &o);
	len = tls_build_records(rec, sizeof(rec), hs, n, 16384);
	assert_int_equal(parse(rec, len, &ch, &consumed), PARSE_OK);
	assert_string_equal(ch.sni, "a.example");
	assert_int_equal(tls_parse_stream(bytes_make(rec, len), small, sizeof(small), &ch,
					  &consumed), PARSE_MALFORMED);
	/* refused as soon as the handshake header says it will not fit */
	assert_int_equal(tls_parse_stream(bytes_make(rec, 9), small, sizeof(small), &ch,
					  &consumed), PARSE_MALFORMED);
	assert_int_equal(tls_parse_stream(bytes_make(rec, 8), small, sizeof(small), &ch,
					  &consumed), PARSE_NEED_MORE);
	assert_int_equal(tls_parse_stream(bytes_make(rec, 16389 + 10), small, sizeof(small), &ch,
					  &consumed), PARSE_MALFORMED);
	/* scratch of exactly the message size is enough */
	static uint8_t exact[30000];
	assert_int_equal(tls_parse_stream(bytes_make(rec, len), exact, n, &ch, &consumed),
			 PARSE_OK);
	assert_int_equal(tls_parse_stream(bytes_make(rec, len), exact, n - 1, &ch,
					  &consumed), PARSE_MALFORMED);
}

static void test_not_mine(void **state)
{
	(void)state;
	struct tls_client_hello ch;
	size_t consumed;
	static const char *const inputs[] = {
		"GET / HTTP/1.1\r\n",
		"\x17\x03\x03\x00\x10",     /* application data */
		"\x15\x03\x03\x00\x02",     /* alert */
		"\x16\x02\x00",             /* major version 2 */
		"\x16\xfe\xfd",             /* DTLS 1.2 */
		"SSH-2.0-OpenSSH_9.2\r\n",
	};
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++)
		assert_int_equal(parse((const uint8_t *)inputs[i], strlen(inputs[i]), &ch,
				       &consumed), PARSE_NOT_MINE);
	/* prefixes that could still be TLS */
	assert_int_equal(parse((const uint8_t *)"", 0, &ch, &consumed), PARSE_NEED_MORE);
	assert_int_equal(parse((const uint8_t *)"\x16", 1, &ch, &consumed), PARSE_NEED_MORE);
	assert_int_equal(parse((const uint8_t *)"\x16\x03", 2, &ch, &consumed),
			 PARSE_NEED_MORE);
	assert_int_equal(parse((const uint8_t *)"\x16\x03\x01\x02", 4, &ch, &consumed),
			 PARSE_NEED_MORE);
}

/* ---- SSLv2 (RFC 5246 E.2) ---- */

static void test_sslv2_refusals(void **state)
{
	(void)state;
	size_t n, consumed;
	uint8_t *p = unhex(FX_SSLV2, &n);
	struct tls_client_hello ch;
	/* trailing data after the message is not consumed */
	uint8_t *q = malloc(n + 3);
	assert_non_null(q);
	memcpy(q, p, n);
	memset(&q[n], 0x16, 3);
	assert_int_equal(parse(q, n + 3, &ch, &consumed), PARSE_OK);
	assert_int_equal(consumed, n);
	/* msg_type not 1, version out of range: not an SSLv2 hello */
	q[2] = 4;
	assert_int_equal(parse(q, n, &ch, &consumed), PARSE_NOT_MINE);
	q[2] = 1;
	q[3] = 0x04;
	assert_int_equal(parse(q, n, &ch, &consumed), PARSE_NOT_MINE);
	q[3] = 0x00;
	q[4] = 0x02; /* SSL 2.0 itself */
	assert_int_equal(parse(q, n, &ch, &consumed), PARSE_OK);
	assert_int_equal(ch.legacy_version, 0x0002);
	q[4] = 0x01;
	assert_int_equal(parse(q, n, &ch, &consumed), PARSE_NOT_MINE);
	memcpy(q, p, n);
	/* lengths that do not add up */
	q[10]++; /* challenge_length 17: sum over the message */
	assert_int_equal(parse(q, n, &ch, &consumed), PARSE_MALFORMED);
	/* challenge_length 16..32: 32 is fine, 33 is not */
	uint8_t *w = malloc(n + 17);
	assert_non_null(w);
	memcpy(w, p, n);
	memset(&w[n], 0x33, 17);
	assert_int_equal(w[10], 16);
	w[10] = 32;
	w[1] = (uint8_t)(w[1] + 16);
	assert_int_equal(parse(w, n + 16, &ch, &consumed), PARSE_OK);
	assert_int_equal(consumed, n + 16);
	w[10] = 33;
	w[1] = (uint8_t)(w[1] + 1);
	assert_int_equal(parse(w, n + 17, &ch, &consumed), PARSE_MALFORMED);
	free(w);
	memcpy(q, p, n);
	q[6]--; /* cipher_spec_length not a multiple of 3 */
	assert_int_equal(parse(q, n, &ch, &consumed), PARSE_MALFORMED);
	memcpy(q, p, n);
	q[1] = 5; /* message shorter than its fixed fields */
	assert_int_equal(parse(q, n, &ch, &consumed), PARSE_MALFORMED);
	/* one high-bit byte could be the start of one */
	assert_int_equal(parse(q, 1, &ch, &consumed), PARSE_NEED_MORE);
	free(q);
	free(p);
}

/* ---- no crash on arbitrary bytes ---- */

/* A fixed-seed walk of byte flips over a valid stream: whatever the
 * result, no sanitizer report, and a name only with PARSE_OK. */
static void test_mutations(void **state)
{
	(void)state;
	static uint8_t base[4096], buf[4096];
	size_t n = tls_build_simple(base, sizeof(base), "a.example", 400);
	uint32_t x = 12345;
	for (unsigned i = 0; i < 20000; i++) {
		memcpy(buf, base, n);
		for (unsigned j = 0; j < 1 + i % 4; j++) {
			x = x * 1103515245u + 12345u;
			size_t at = (x >> 8) % n;
			x = x * 1103515245u + 12345u;
			buf[at] = (uint8_t)(x >> 16);
		}
		struct tls_client_hello ch;
		size_t consumed = 0;
		enum parse_result r = parse(buf, n, &ch, &consumed);
		if (r != PARSE_OK)
			assert_false(ch.has_sni);
		else
			assert_true(consumed <= n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_chrome_kyber),
		cmocka_unit_test(test_fixture_chrome_two_segments),
		cmocka_unit_test(test_fixture_chrome_resplit),
		cmocka_unit_test(test_fixture_ech),
		cmocka_unit_test(test_fixture_esni),
		cmocka_unit_test(test_fixture_sslv2),
		cmocka_unit_test(test_fixture_firefox),
		cmocka_unit_test(test_roundtrip_basic),
		cmocka_unit_test(test_roundtrip_no_sni),
		cmocka_unit_test(test_roundtrip_no_extensions),
		cmocka_unit_test(test_roundtrip_empty_extensions),
		cmocka_unit_test(test_roundtrip_chrome_like),
		cmocka_unit_test(test_simple_builder),
		cmocka_unit_test(test_tls_parse_handshake),
		cmocka_unit_test(test_sni_refusals),
		cmocka_unit_test(test_sni_length_bounds),
		cmocka_unit_test(test_sni_handmade),
		cmocka_unit_test(test_sni_kept_as_sent),
		cmocka_unit_test(test_duplicate_extensions),
		cmocka_unit_test(test_ech_and_esni_flags),
		cmocka_unit_test(test_alpn),
		cmocka_unit_test(test_body_refusals),
		cmocka_unit_test(test_extension_framing),
		cmocka_unit_test(test_records_every_size),
		cmocka_unit_test(test_split_every_position),
		cmocka_unit_test(test_truncation_one_byte_records),
		cmocka_unit_test(test_consumed_stops_at_hello),
		cmocka_unit_test(test_record_refusals),
		cmocka_unit_test(test_record_max_and_scratch),
		cmocka_unit_test(test_not_mine),
		cmocka_unit_test(test_sslv2_refusals),
		cmocka_unit_test(test_mutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
