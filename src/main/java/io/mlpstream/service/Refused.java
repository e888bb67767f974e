package io.mlpstream.service;

/** A request the model cannot serve or apply, with the HTTP status and the problem's title that say why. */
public final class Refused extends Exception {
    public final int status;
    public final String title;

    public Refused(int status, String title, String detail) {
        super(detail);
        this.status = status;
        this.title = title;
    }
}
