// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API loaded first.
// Every module of src/x509 and src/ocsp imports @peculiar/x509 through this file so that happens once.
import 'reflect-metadata';

export { X509Certificate, PublicKey } from '@peculiar/x509';
export { X509Crl } from '@peculiar/x509';
