#include "weblog/nss_presets.hpp"

#include <array>
#include <string>

#include "weblog/nss_field_catalog.hpp"

namespace minewall::weblog {
namespace {

// Tab-separated key=value as NSS VMs send it to Splunk (sourcetype zscalernss-web): the
// Splunk template's keys in its order (SC4S sample), then the keys of the Splunk JSON template
// that the kv sample lacks (contenttype .. devicehostname: ESCU groups by deviceowner), then
// src/dest/dest_ip so ESCU searches work without the Splunk add-on's field aliases.
constexpr std::string_view kSplunk =
    R"nss(%d{yy}-%02d{mth}-%02d{dd} %02d{hh}:%02d{mm}:%02d{ss}\treason=%s{reason}\tevent_id=%d{recor)nss"
    R"nss(did}\tprotocol=%s{proto}\taction=%s{action}\ttransactionsize=%d{totalsize}\tresponsesize=%)nss"
    R"nss(d{respsize}\trequestsize=%d{reqsize}\turlcategory=%s{urlcat}\tserverip=%s{sip}\tclienttran)nss"
    R"nss(stime=%d{ctime}\trequestmethod=%s{reqmethod}\trefererURL=%s{ereferer}\tuseragent=%s{ua}\tp)nss"
    R"nss(roduct=NSS\tlocation=%s{location}\tClientIP=%s{cip}\tstatus=%s{respcode}\tuser=%s{login}\t)nss"
    R"nss(url=%s{eurl}\tvendor=Zscaler\thostname=%s{ehost}\tclientpublicIP=%s{cintip}\tthreatcategor)nss"
    R"nss(y=%s{malwarecat}\tthreatname=%s{threatname}\tfiletype=%s{filetype}\tappname=%s{appname}\tp)nss"
    R"nss(agerisk=%d{riskscore}\tdepartment=%s{dept}\turlsupercategory=%s{urlsupercat}\tappclass=%s{)nss"
    R"nss(appclass}\tdlpengine=%s{dlpeng}\turlclass=%s{urlclass}\tthreatclass=%s{malwareclass}\tdlpd)nss"
    R"nss(ictionaries=%s{dlpdict}\tfileclass=%s{fileclass}\tbwthrottle=%s{bwthrottle}\tservertransti)nss"
    R"nss(me=%d{stime}\tmd5=%s{bamd5}\tcontenttype=%s{contenttype}\tunscannabletype=%s{unscannablety)nss"
    R"nss(pe}\tdeviceowner=%s{deviceowner}\tdevicehostname=%s{devicehostname}\tsrc=%s{cip}\tdest=%s{)nss"
    R"nss(ehost}\tdest_ip=%s{sip})nss";

// The Splunk JSON template (VM-NSS variant: raw ua/login/location/dept, values JSON-escaped by
// us) in a HEC event envelope; "source":"zscaler" because ESCU's zscaler_proxy macro filters
// on it, "time" so _time is exact; event adds src/dest/dest_ip as in the kv preset.
constexpr std::string_view kSplunkHec =
    R"nss(\{"sourcetype":"zscalernss-web","source":"zscaler","time":%d{epochtime},"event":\{"datetim)nss"
    R"nss(e":"%d{yy}-%02d{mth}-%02d{dd} %02d{hh}:%02d{mm}:%02d{ss}","reason":"%s{reason}","event_id")nss"
    R"nss(:"%d{recordid}","protocol":"%s{proto}","action":"%s{action}","transactionsize":"%d{totalsi)nss"
    R"nss(ze}","responsesize":"%d{respsize}","requestsize":"%d{reqsize}","urlcategory":"%s{urlcat}",)nss"
    R"nss("serverip":"%s{sip}","clienttranstime":"%d{ctime}","requestmethod":"%s{reqmethod}","refere)nss"
    R"nss(rURL":"%s{ereferer}","useragent":"%s{ua}","product":"NSS","location":"%s{location}","Clien)nss"
    R"nss(tIP":"%s{cip}","status":"%s{respcode}","user":"%s{login}","url":"%s{eurl}","vendor":"Zscal)nss"
    R"nss(er","hostname":"%s{ehost}","clientpublicIP":"%s{cintip}","threatcategory":"%s{malwarecat}")nss"
    R"nss(,"threatname":"%s{threatname}","filetype":"%s{filetype}","appname":"%s{appname}","pagerisk)nss"
    R"nss(":"%d{riskscore}","department":"%s{dept}","urlsupercategory":"%s{urlsupercat}","appclass":)nss"
    R"nss("%s{appclass}","dlpengine":"%s{dlpeng}","urlclass":"%s{urlclass}","threatclass":"%s{malwar)nss"
    R"nss(eclass}","dlpdictionaries":"%s{dlpdict}","fileclass":"%s{fileclass}","bwthrottle":"%s{bwth)nss"
    R"nss(rottle}","servertranstime":"%d{stime}","contenttype":"%s{contenttype}","unscannabletype":")nss"
    R"nss(%s{unscannabletype}","deviceowner":"%s{deviceowner}","devicehostname":"%s{devicehostname}")nss"
    R"nss(,"src":"%s{cip}","dest":"%s{ehost}","dest_ip":"%s{sip}"\}\})nss";

// Zscaler's Sentinel CEF template (zscaler/microsoft-resources nss-web.cef), verbatim.
constexpr std::string_view kSentinelCef =
    R"nss(%s{mon} %02d{dd} %02d{hh}:%02d{mm}:%02d{ss} zscaler-nss CEF:0|Zscaler|NSSWeblog|5.7|%s{act)nss"
    R"nss(ion}|%s{reason}|3|act=%s{action} Severity=3 name=%s{reason} deviceEventClassId=%s{action} )nss"
    R"nss(app=%s{proto} cat=%s{urlcat} dhost=%s{ehost} dst=%s{sip} src=%s{cip} in_bytes=%d{respsize})nss"
    R"nss( in=%d{respsize} outcome=%s{respcode} out=%d{reqsize} request=%s{eurl} rt=%s{mon} %02d{dd})nss"
    R"nss( %d{yy} %02d{hh}:%02d{mm}:%02d{ss} sourceTranslatedAddress=%s{cintip} requestClientApplica)nss"
    R"nss(tion=%s{ua} requestMethod=%s{reqmethod} suser=%s{login} spriv=%s{location} externalId=%d{r)nss"
    R"nss(ecordid} fileType=%s{filetype} reason=%s{reason} destinationServiceName=%s{appname} cn1=%d)nss"
    R"nss({riskscore} cn1Label=riskscore cs1=%s{dept} cs1Label=dept cs2=%s{urlsupercat} cs2Label=url)nss"
    R"nss(supercat cs3=%s{appclass} cs3Label=appclass cs4=%s{malwarecat} cs4Label=malwarecat cs5=%s{)nss"
    R"nss(threatname} cs5Label=threatname cs6=%s{dlpeng} cs6Label=dlpeng ZscalerNSSWeblogURLClass=%s)nss"
    R"nss({urlclass} ZscalerNSSWeblogDLPDictionaries=%s{dlpdict} requestContext=%s{ereferer} content)nss"
    R"nss(type=%s{contenttype} unscannabletype=%s{unscannabletype} deviceowner=%s{deviceowner} devic)nss"
    R"nss(ehostname=%s{devicehostname} keyprotectiontype=%s{keyprotectiontype} cloudname=%s{cloudnam)nss"
    R"nss(e} company=%s{company} throttlereqsize=%d{throttlereqsize} throttlerespsize=%d{throttleres)nss"
    R"nss(psize} bwthrottle=%s{bwthrottle} bwclassname=%s{bwclassname} bwrulename=%s{bwrulename} mod)nss"
    R"nss(ule=%s{module} app_risk_score=%s{app_risk_score} datacenter=%s{datacenter} datacentercity=)nss"
    R"nss(%s{datacentercity} datacentercountry=%s{datacentercountry} dlpdicthitcount=%s{dlpdicthitco)nss"
    R"nss(unt} dlpidentifier=%d{dlpidentifier} dlpmd5=%s{dlpmd5} dlprulename=%s{dlprulename} filecla)nss"
    R"nss(ss=%s{fileclass} fname=%s{filename} filesubtype=%s{filesubtype} upload_fileclass=%s{upload)nss"
    R"nss(_fileclass} upload_filetype=%s{upload_filetype} upload_filename=%s{upload_filename} upload)nss"
    R"nss(_filesubtype=%s{upload_filesubtype} upload_doctypename=%s{upload_doctypename} rdr_rulename)nss"
    R"nss(=%s{rdr_rulename} fwd_type=%s{fwd_type} fwd_gw_name=%s{fwd_gw_name} fwd_gw_ip=%s{fwd_gw_ip)nss"
    R"nss(} zpa_app_seg_name=%s{zpa_app_seg_name} reqdatasize=%d{reqdatasize} reqhdrsize=%d{reqhdrsi)nss"
    R"nss(ze} respdatasize=%d{respdatasize} resphdrsize=%d{resphdrsize} totalsize=%d{totalsize} df_h)nss"
    R"nss(osthead=%s{df_hosthead} df_hostname=%s{df_hostname} erefererhost=%s{erefererhost} refererp)nss"
    R"nss(ath=%s{erefererpath} eurlpath=%s{eurlpath} reqversion=%s{reqversion} respversion=%s{respve)nss"
    R"nss(rsion} ua_token=%s{ua_token} uaclass=%s{uaclass} mobappname=%s{mobappname} mobappcat=%s{mo)nss"
    R"nss(bappcat} mobdevtype=%s{mobdevtype} clt_sport=%d{clt_sport} cpubip=%s{cpubip} alpnprotocol=)nss"
    R"nss(%s{alpnprotocol} trafficredirectmethod=%s{trafficredirectmethod} euserlocationname=%s{euse)nss"
    R"nss(rlocationname} erulelabel=%s{erulelabel} ruletype=%s{ruletype} eurlfilterrulelabel=%s{eurl)nss"
    R"nss(filterrulelabel} ourlfilterrulelabel=%s{ourlfilterrulelabel} eapprulelabel=%s{eapprulelabe)nss"
    R"nss(l} fileHash=%s{bamd5} sha256=%s{sha256} ssldecrypted=%s{ssldecrypted} externalspr=%s{exter)nss"
    R"nss(nalspr} clientsslcipher=%s{clientsslcipher} clienttlsversion=%s{clienttlsversion} clientss)nss"
    R"nss(lsessreuse=%s{clientsslsessreuse} cltsslfailreason=%s{cltsslfailreason} cltsslfailcount=%d)nss"
    R"nss({cltsslfailcount} srvsslcipher=%s{srvsslcipher} srvtlsversion=%s{srvtlsversion} srvocspres)nss"
    R"nss(ult=%s{srvocspresult} srvcertchainvalpass=%s{srvcertchainvalpass} srvwildcardcert=%s{srvwi)nss"
    R"nss(ldcardcert} serversslsessreuse=%s{serversslsessreuse} srvcertvalidationtype=%s{srvcertvali)nss"
    R"nss(dationtype} srvcertvalidityperiod=%s{srvcertvalidityperiod} is_ssluntrustedca=%s{is_sslunt)nss"
    R"nss(rustedca} is_sslselfsigned=%s{is_sslselfsigned} is_sslexpiredca=%s{is_sslexpiredca} threat)nss"
    R"nss(severity=%s{threatseverity} malwareclass=%s{malwareclass} urlcatmethod=%s{urlcatmethod} by)nss"
    R"nss(passed_traffic=%d{bypassed_traffic} bypassed_etime=%s{bypassed_etime} deviceappversion=%s{)nss"
    R"nss(deviceappversion} devicemodel=%s{devicemodel} devicename=%s{devicename} deviceostype=%s{de)nss"
    R"nss(viceostype} devicetype=%s{devicetype} external_devid=%s{external_devid} flow_type=%s{flow_)nss"
    R"nss(type} ztunnelversion=%s{ztunnelversion} productversion=%s{productversion} nsssvcip=%s{nsss)nss"
    R"nss(vcip})nss";

// Zscaler's Sentinel Cloud NSS JSON template (cloud-nss-web.fof), verbatim.
constexpr std::string_view kSentinelCloudNss =
    R"nss(\{"TimeGenerated":"%d{yy}-%02d{mth}-%02d{dd},%02d{hh}:%02d{mm}:%02d{ss}","sourcetype":"zsc)nss"
    R"nss(alernss","vendor":"Zscaler","product":"NSSWeblog","version":"5.7","act":"%s{action}","Seve)nss"
    R"nss(rity":"3","name":"%s{reason}","deviceEventClassId":"%s{action}","app":"%s{proto}","cat":"%)nss"
    R"nss(s{urlcat}","dhost":"%s{ehost}","dst":"%s{sip}","src":"%s{cip}","in_bytes":"%d{respsize}",")nss"
    R"nss(in":"%d{respsize}","outcome":"%s{respcode}","out":"%d{reqsize}","request":"%s{eurl}","rt":)nss"
    R"nss("%s{mon}","sourceTranslatedAddress":"%s{cintip}","requestClientApplication":"%s{ua}","requ)nss"
    R"nss(estMethod":"%s{reqmethod}","suser":"%s{login}","spriv":"%s{location}","externalId":"%d{rec)nss"
    R"nss(ordid}","fileType":"%s{filetype}","reason":"%s{reason}","destinationServiceName":"%s{appna)nss"
    R"nss(me}","cn1":"%d{riskscore}","cn1Label":"riskscore","cs1":"%s{dept}","cs1Label":"dept","cs2")nss"
    R"nss(:"%s{urlsupercat}","cs2Label":"urlsupercat","cs3":"%s{appclass}","cs3Label":"appclass","cs)nss"
    R"nss(4":"%s{malwarecat}","cs4Label":"malwarecat","cs5":"%s{threatname}","cs5Label":"threatname")nss"
    R"nss(,"cs6":"%s{dlpeng}","cs6Label":"dlpeng","ZscalerNSSWeblogURLClass":"%s{urlclass}","Zscaler)nss"
    R"nss(NSSWeblogDLPDictionaries":"%s{dlpdict}","requestContext":"%s{ereferer}","contenttype":"%s{)nss"
    R"nss(contenttype}","unscannabletype":"%s{unscannabletype}","deviceowner":"%s{deviceowner}","dev)nss"
    R"nss(icehostname":"%s{devicehostname}","keyprotectiontype":"%s{keyprotectiontype}","cloudname":)nss"
    R"nss("%s{cloudname}","company":"%s{company}","throttlereqsize":"%d{throttlereqsize}","throttler)nss"
    R"nss(espsize":"%d{throttlerespsize}","bwthrottle":"%s{bwthrottle}","bwclassname":"%s{bwclassnam)nss"
    R"nss(e}","bwrulename":"%s{bwrulename}","module":"%s{module}","app_risk_score":"%s{app_risk_scor)nss"
    R"nss(e}","datacenter":"%s{datacenter}","datacentercity":"%s{datacentercity}","datacentercountry)nss"
    R"nss(":"%s{datacentercountry}","dlpdicthitcount":"%s{dlpdicthitcount}","dlpidentifier":"%d{dlpi)nss"
    R"nss(dentifier}","dlpmd5":"%s{dlpmd5}","dlprulename":"%s{dlprulename}","fileclass":"%s{fileclas)nss"
    R"nss(s}","fname":"%s{filename}","filesubtype":"%s{filesubtype}","upload_fileclass":"%s{upload_f)nss"
    R"nss(ileclass}","upload_filetype":"%s{upload_filetype}","upload_filename":"%s{upload_filename}")nss"
    R"nss(,"upload_filesubtype":"%s{upload_filesubtype}","upload_doctypename":"%s{upload_doctypename)nss"
    R"nss(}","rdr_rulename":"%s{rdr_rulename}","fwd_type":"%s{fwd_type}","fwd_gw_name":"%s{fwd_gw_na)nss"
    R"nss(me}","fwd_gw_ip":"%s{fwd_gw_ip}","zpa_app_seg_name":"%s{zpa_app_seg_name}","reqdatasize":")nss"
    R"nss(%d{reqdatasize}","reqhdrsize":"%d{reqhdrsize}","respdatasize":"%d{respdatasize}","resphdrs)nss"
    R"nss(ize":"%d{resphdrsize}","totalsize":"%d{totalsize}","df_hosthead":"%s{df_hosthead}","df_hos)nss"
    R"nss(tname":"%s{df_hostname}","erefererhost":"%s{erefererhost}","refererpath":"%s{erefererpath})nss"
    R"nss(","eurlpath":"%s{eurlpath}","reqversion":"%s{reqversion}","respversion":"%s{respversion}",)nss"
    R"nss("ua_token":"%s{ua_token}","uaclass":"%s{uaclass}","mobappname":"%s{mobappname}","mobappcat)nss"
    R"nss(":"%s{mobappcat}","mobdevtype":"%s{mobdevtype}","clt_sport":"%d{clt_sport}","cpubip":"%s{c)nss"
    R"nss(pubip}","alpnprotocol":"%s{alpnprotocol}","trafficredirectmethod":"%s{trafficredirectmetho)nss"
    R"nss(d}","euserlocationname":"%s{euserlocationname}","erulelabel":"%s{erulelabel}","ruletype":")nss"
    R"nss(%s{ruletype}","eurlfilterrulelabel":"%s{eurlfilterrulelabel}","ourlfilterrulelabel":"%s{ou)nss"
    R"nss(rlfilterrulelabel}","eapprulelabel":"%s{eapprulelabel}","fileHash":"%s{bamd5}","sha256":"%)nss"
    R"nss(s{sha256}","ssldecrypted":"%s{ssldecrypted}","externalspr":"%s{externalspr}","clientsslcip)nss"
    R"nss(her":"%s{clientsslcipher}","clienttlsversion":"%s{clienttlsversion}","clientsslsessreuse":)nss"
    R"nss("%s{clientsslsessreuse}","cltsslfailreason":"%s{cltsslfailreason}","cltsslfailcount":"%d{c)nss"
    R"nss(ltsslfailcount}","srvsslcipher":"%s{srvsslcipher}","srvtlsversion":"%s{srvtlsversion}","sr)nss"
    R"nss(vocspresult":"%s{srvocspresult}","srvcertchainvalpass":"%s{srvcertchainvalpass}","srvwildc)nss"
    R"nss(ardcert":"%s{srvwildcardcert}","serversslsessreuse":"%s{serversslsessreuse}","srvcertvalid)nss"
    R"nss(ationtype":"%s{srvcertvalidationtype}","srvcertvalidityperiod":"%s{srvcertvalidityperiod}")nss"
    R"nss(,"is_ssluntrustedca":"%s{is_ssluntrustedca}","is_sslselfsigned":"%s{is_sslselfsigned}","is)nss"
    R"nss(_sslexpiredca":"%s{is_sslexpiredca}","threatseverity":"%s{threatseverity}","malwareclass":)nss"
    R"nss("%s{malwareclass}","urlcatmethod":"%s{urlcatmethod}","bypassed_traffic":"%d{bypassed_traff)nss"
    R"nss(ic}","bypassed_etime":"%s{bypassed_etime}","deviceappversion":"%s{deviceappversion}","devi)nss"
    R"nss(cemodel":"%s{devicemodel}","devicename":"%s{devicename}","deviceostype":"%s{deviceostype}")nss"
    R"nss(,"devicetype":"%s{devicetype}","external_devid":"%s{external_devid}","flow_type":"%s{flow_)nss"
    R"nss(type}","ztunnelversion":"%s{ztunnelversion}","productversion":"%s{productversion}","nsssvc)nss"
    R"nss(ip":"%s{nsssvcip}"\})nss";

// "QRadar LEEF" feed output type (Rapid7 InsightIDR page), verbatim.
constexpr std::string_view kQradarLeef =
    R"nss(%s{mon} %02d{dd} %02d{hh}:%02d{mm}:%02d{ss} zscaler-nss: LEEF:1.0|Zscaler|NSS|4.1|%s{reaso)nss"
    R"nss(n}|cat=%s{action}\tdevTime=%s{mon} %02d{dd} %d{yy} %02d{hh}:%02d{mm}:%02d{ss} %s{tz}\tdevT)nss"
    R"nss(imeFormat=MMM dd yyyy HH:mm:ss z\tsrc=%s{cip}\tdst=%s{sip}\tsrcPostNAT=%s{cintip}\trealm=%)nss"
    R"nss(s{location}\tusrName=%s{login}\tsrcBytes=%d{reqsize}\tdstBytes=%d{respsize}\trole=%s{dept})nss"
    R"nss(\tpolicy=%s{reason}\turl=%s{url}\trecordid=%d{recordid}\tbwthrottle=%s{bwthrottle}\tuserag)nss"
    R"nss(ent=%s{ua}\treferer=%s{referer}\thostname=%s{host}\tappproto=%s{proto}\turlcategory=%s{url)nss"
    R"nss(cat}\turlsupercategory=%s{urlsupercat}\turlclass=%s{urlclass}\tappclass=%s{appclass}\tappn)nss"
    R"nss(ame=%s{appname}\tmalwaretype=%s{malwarecat}\tmalwareclass=%s{malwareclass}\tthreatname=%s{)nss"
    R"nss(threatname}\triskscore=%d{riskscore}\tdlpdict=%s{dlpdict}\tdlpeng=%s{dlpeng}\tfileclass=%s)nss"
    R"nss({fileclass}\tfiletype=%s{filetype}\treqmethod=%s{reqmethod}\trespcode=%s{respcode})nss";

// Elastic zscaler_zia integration, current web format, verbatim.
constexpr std::string_view kElastic =
    R"nss(\{"sourcetype":"zscalernss-web","event":\{"time":"%s{time}","cloudname":"%s{cloudname}","h)nss"
    R"nss(ost":"%s{host}","serverip":"%s{sip}","external_devid":"%s{external_devid}","devicemodel":")nss"
    R"nss(%s{devicemodel}","action":"%s{action}","recordid":"%d{recordid}","reason":"%s{reason}","th)nss"
    R"nss(reatseverity":"%s{threatseverity}","tz":"%s{tz}","filesubtype":"%s{filesubtype}","upload_f)nss"
    R"nss(ilesubtype":"%s{upload_filesubtype}","sha256":"%s{sha256}","bamd5":"%s{bamd5}","filename":)nss"
    R"nss("%s{filename}","upload_filename":"%s{upload_filename}","filetype":"%s{filetype}","devicena)nss"
    R"nss(me":"%s{devicename}","devicehostname":"%s{devicehostname}","deviceostype":"%s{deviceostype)nss"
    R"nss(}","deviceosversion":"%s{deviceosversion}","devicetype":"%s{devicetype}","reqsize":"%d{req)nss"
    R"nss(size}","reqmethod":"%s{reqmethod}","refererurl":"%s{referer}","respsize":"%d{respsize}","r)nss"
    R"nss(espcode":"%s{respcode}","reqversion":"%s{reqversion}","respversion":"%s{respversion}","pro)nss"
    R"nss(to":"%s{proto}","company":"%s{company}","dlpmd5":"%s{dlpmd5}","apprulelabel":"%s{apprulela)nss"
    R"nss(bel}","dlprulename":"%s{dlprulename}","rulelabel":"%s{rulelabel}","urlfilterrulelabel":"%s)nss"
    R"nss({urlfilterrulelabel}","cltip":"%s{cip}","cltintip":"%s{cintip}","cltsourceport":"%d{clt_sp)nss"
    R"nss(ort}","threatname":"%s{threatname}","cltsslcipher":"%s{clientsslcipher}","clttlsversion":")nss"
    R"nss(%s{clienttlsversion}","eurl":"%s{eurl}","url":"%s{url}","useragent":"%s{ua}","login":"%s{l)nss"
    R"nss(ogin}","applayerprotocol":"%s{alpnprotocol}","appclass":"%s{appclass}","appname":"%s{appna)nss"
    R"nss(me}","appriskscore":"%s{app_risk_score}","bandwidthclassname":"%s{bwclassname}","bandwidth)nss"
    R"nss(rulename":"%s{bwrulename}","bwthrottle":"%s{bwthrottle}","bypassedtime":"%s{bypassed_etime)nss"
    R"nss(}","bypassedtraffic":"%d{bypassed_traffic}","cltsslsessreuse":"%s{clientsslsessreuse}","cl)nss"
    R"nss(tpubip":"%s{cpubip}","cltsslfailcount":"%d{cltsslfailcount}","cltsslfailreason":"%s{cltssl)nss"
    R"nss(failreason}","contenttype":"%s{contenttype}","datacentercity":"%s{datacentercity}","datace)nss"
    R"nss(ntercountry":"%s{datacentercountry}","datacenter":"%s{datacenter}","day":"%s{day}","day_of)nss"
    R"nss(_month":"%02d{dd}","dept":"%s{dept}","deviceappversion":"%s{deviceappversion}","deviceowne)nss"
    R"nss(r":"%s{deviceowner}","df_hosthead":"%s{df_hosthead}","df_hostname":"%s{df_hostname}","dlpd)nss"
    R"nss(icthitcount":"%s{dlpdicthitcount}","dlpdict":"%s{dlpdict}","dlpeng":"%s{dlpeng}","dlpident)nss"
    R"nss(ifier":"%d{dlpidentifier}","eedone":"%s{eedone}","epochtime":"%d{epochtime}","fileclass":")nss"
    R"nss(%s{fileclass}","flow_type":"%s{flow_type}","forward_gateway_ip":"%s{fwd_gw_ip}","forward_g)nss"
    R"nss(ateway_name":"%s{fwd_gw_name}","forward_type":"%s{fwd_type}","hour":"%02d{hh}","is_sslexpi)nss"
    R"nss(redca":"%s{is_sslexpiredca}","is_sslselfsigned":"%s{is_sslselfsigned}","is_ssluntrustedca")nss"
    R"nss(:"%s{is_ssluntrustedca}","keyprotectiontype":"%s{keyprotectiontype}","location":"%s{locati)nss"
    R"nss(on}","malwarecategory":"%s{malwarecat}","malwareclass":"%s{malwareclass}","minute":"%02d{m)nss"
    R"nss(m}","mobappcategory":"%s{mobappcat}","mobappname":"%s{mobappname}","mobdevtype":"%s{mobdev)nss"
    R"nss(type}","module":"%s{module}","month":"%s{mon}","month_of_year":"%02d{mth}","nssserviceip":)nss"
    R"nss("%s{nsssvcip}","oapprulelabel":"%s{oapprulelabel}","obwclassname":"%s{obwclassname}","ocip)nss"
    R"nss(":"%d{ocip}","ocpubip":"%d{ocpubip}","odevicehostname":"%s{odevicehostname}","odevicename")nss"
    R"nss(:"%s{odevicename}","odeviceowner":"%s{odeviceowner}","odlpdict":"%s{odlpdict}","odlpeng":")nss"
    R"nss(%s{odlpeng}","odlprulename":"%s{odlprulename}","ofwd_gw_name":"%s{ofwd_gw_name}","ologin":)nss"
    R"nss("%s{ologin}","ordr_rulename":"%s{ordr_rulename}","ourlcat":"%s{ourlcat}","ourlfilterrulela)nss"
    R"nss(bel":"%s{ourlfilterrulelabel}","ozpa_app_seg_name":"%s{ozpa_app_seg_name}","externalsslpol)nss"
    R"nss(icyreason":"%s{externalspr}","productversion":"%s{productversion}","rdr_rulename":"%s{rdr_)nss"
    R"nss(rulename}","refererhost":"%s{refererhost}","reqheadersize":"%d{reqhdrsize}","reqdatasize":)nss"
    R"nss("%d{reqdatasize}","respheadersize":"%d{resphdrsize}","respdatasize":"%d{respdatasize}","ri)nss"
    R"nss(skscore":"%d{riskscore}","ruletype":"%s{ruletype}","second":"%02d{ss}","srvcertchainvalpas)nss"
    R"nss(s":"%s{srvcertchainvalpass}","srvcertvalidationtype":"%s{srvcertvalidationtype}","srvcertv)nss"
    R"nss(alidityperiod":"%s{srvcertvalidityperiod}","srvsslcipher":"%s{srvsslcipher}","serversslses)nss"
    R"nss(sreuse":"%s{serversslsessreuse}","srvocspresult":"%s{srvocspresult}","srvtlsversion":"%s{s)nss"
    R"nss(rvtlsversion}","srvwildcardcert":"%s{srvwildcardcert}","ssldecrypted":"%s{ssldecrypted}",")nss"
    R"nss(throttlereqsize":"%d{throttlereqsize}","throttlerespsize":"%d{throttlerespsize}","totalsiz)nss"
    R"nss(e":"%d{totalsize}","trafficredirectmethod":"%s{trafficredirectmethod}","unscannabletype":")nss"
    R"nss(%s{unscannabletype}","upload_doctypename":"%s{upload_doctypename}","upload_fileclass":"%s{)nss"
    R"nss(upload_fileclass}","upload_filetype":"%s{upload_filetype}","urlcatmethod":"%s{urlcatmethod)nss"
    R"nss(}","urlsubcat":"%s{urlcat}","urlsupercat":"%s{urlsupercat}","urlclass":"%s{urlclass}","use)nss"
    R"nss(ragentclass":"%s{uaclass}","useragenttoken":"%s{ua_token}","userlocationname":"%s{userloca)nss"
    R"nss(tionname}","year":"%04d{yyyy}","ztunnelversion":"%s{ztunnelversion}","zpa_app_seg_name":"%)nss"
    R"nss(s{zpa_app_seg_name}"\}\})nss";

// Every catalog field under its own token name (the b64…/o… re-encodings left out), in the
// HEC-style envelope Elastic's older format uses.
std::string build_json_format() {
    std::string f = R"nss(\{"sourcetype":"zscalernss-web","event":\{)nss";
    bool first = true;
    for (const FieldDef& field : nss_fields()) {
        if (field.encoding == FieldEncoding::Base64 ||
            field.encoding == FieldEncoding::Obfuscated) {
            continue;
        }
        if (!first) f += ',';
        first = false;
        f += '"';
        f += field.name;
        f += field.kind == FieldKind::Number ? R"(":"%d{)" : R"(":"%s{)";
        f += field.name;
        f += R"(}")";
    }
    f += R"nss(\}\})nss";
    return f;
}

const std::string& json_format() {
    static const std::string format = build_json_format();
    return format;
}

const std::array<NssPreset, 7>& presets() {
    static const std::array<NssPreset, 7> list = {{
        {"splunk", "Splunk zscalernss-web, tab-separated key=value (NSS VM over TCP)", kSplunk,
         false},
        {"splunk-hec", "Splunk zscalernss-web JSON in a HEC event envelope", kSplunkHec, true},
        {"sentinel-cef", "Microsoft Sentinel CEF (Zscaler NSSWeblog, CommonSecurityLog)",
         kSentinelCef, false},
        {"sentinel-cloudnss", "Microsoft Sentinel Cloud NSS JSON (DCR nss_web_CL)",
         kSentinelCloudNss, true},
        {"qradar-leef", "IBM QRadar / Rapid7 LEEF 1.0", kQradarLeef, false},
        {"elastic", "Elastic zscaler_zia web JSON (current key names)", kElastic, true},
        {"json", "every NSS web field as JSON, keys = token names", json_format(), true},
    }};
    return list;
}

}  // namespace

std::span<const NssPreset> nss_presets() {
    return presets();
}

const NssPreset* find_preset(std::string_view name) {
    for (const NssPreset& p : presets()) {
        if (p.name == name) return &p;
    }
    return nullptr;
}

std::optional<std::string> preset_format(std::string_view name) {
    if (const NssPreset* p = find_preset(name)) return std::string(p->format);
    return std::nullopt;
}

std::span<const std::string_view> preset_names() {
    static const std::array<std::string_view, 7> names = [] {
        std::array<std::string_view, 7> n{};
        for (std::size_t i = 0; i < n.size(); ++i)
            n[i] = presets()[i].name;
        return n;
    }();
    return names;
}

}  // namespace minewall::weblog
