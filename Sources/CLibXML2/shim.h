#ifndef PAINPATH_CLIBXML2_SHIM_H
#define PAINPATH_CLIBXML2_SHIM_H

/* Debian's libxml2 is built with ICU, and its encoding.h then includes the system ICU headers,
   which clash with the ICU copy inside Foundation in any module importing both. PainPath never
   touches xmlCharEncodingHandler (the only declaration ICU changes), so ICU is hidden here. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>

/* Errors are read from the parser context (xmlCtxtGetLastError) after parsing; this handler keeps
   libxml2 from also printing them on stderr. It does not change what the parser accepts. */
static void painpath_xml_silent_error(void *userData, xmlErrorPtr error) {
    (void)userData;
    (void)error;
}

/* A parser context whose errors are recorded but not printed. */
static inline xmlParserCtxtPtr painpath_xml_new_parser_context(void) {
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (ctxt != NULL && ctxt->sax != NULL) {
        ctxt->sax->serror = painpath_xml_silent_error;
        ctxt->sax->error = NULL;
        ctxt->sax->warning = NULL;
    }
    return ctxt;
}

/* Swift 6 cannot call the global function pointer `xmlFree` directly. */
static inline void painpath_xml_free(void *pointer) {
    xmlFree(pointer);
}

/* glibc's fast bins off for the process (mallopt(M_MXFAST, 0)): libxml2 frees its tree as tens of thousands of
   small blocks, which fast bins keep unmerged until the next large request walks them all (see AllocatorTuning).
   Returns 1 when the allocator took it; 0 where it has no such setting. */
#if defined(__GLIBC__)
#include <malloc.h>
static inline int painpath_disable_fast_bins(void) {
    return mallopt(M_MXFAST, 0);
}
#else
static inline int painpath_disable_fast_bins(void) {
    return 0;
}
#endif

/* The only parse option PainPath uses: no network access. Never NOENT, DTDLOAD, DTDATTR,
   DTDVALID, XINCLUDE or HUGE. */
static const int painpath_xml_parse_options = XML_PARSE_NONET;

#endif
